use super::codes::closed_list;

closed_list! {
    /// The six official languages of the ITU, the languages Plenary speaks.
    pub enum Language {
        Ar => "ar",
        Zh => "zh",
        En => "en",
        Fr => "fr",
        Ru => "ru",
        Es => "es",
    }
}

impl Language {
    pub fn is_right_to_left(self) -> bool {
        self == Self::Ar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_official_languages_parse_and_nothing_else() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.code()), Ok(l));
        }
        assert!(Language::parse("de").is_err());
        assert!(Language::parse("EN").is_err());
        assert_eq!(
            Language::parse("de"),
            Err("must be one of ar, zh, en, fr, ru, es".to_owned())
        );
        assert!(Language::Ar.is_right_to_left());
    }
}
