//! Closed lists: enums whose every variant has one code, the same in JSON, in the store, in
//! messages and in the refusal that lists them.

/// Declares a closed list: the enum (its derives, and each code as its serde and schema name),
/// `ALL` in the declared order, `code`, `parse` (refusing anything else with every code named)
/// and `Display` as the code.
macro_rules! closed_list {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($variant:ident => $code:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        $vis enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: [Self; [$($code),+].len()] = [$(Self::$variant),+];

            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            pub fn parse(raw: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|x| x.code() == raw)
                    .ok_or_else(|| format!("must be one of {}", Self::ALL.map(Self::code).join(", ")))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use closed_list;
