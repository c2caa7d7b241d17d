//! The DynamoDB adapter: the [`Table`] contract over one DynamoDB table keyed by `pk` (HASH) and
//! `sk` (RANGE). Every attribute goes through expression attribute names, since many plain words
//! (`capacity`, `name`, `status`…) are DynamoDB reserved words. SDK errors are translated here so
//! no SDK type leaks past this module, except the client the constructor takes.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, KeySchemaElement,
    KeyType, Put, ReturnValue, ScalarAttributeType, Select, StreamSpecification, StreamViewType,
    TableStatus, TimeToLiveSpecification, TransactWriteItem, Update,
};
use serde_json::{Number, Value};

use super::table::{
    Cond, Item, Key, PK, Page, Query, SK, TTL, Table, TableError, Write, validate_transaction,
};

type Attributes = HashMap<String, AttributeValue>;

pub struct DynamoTable {
    client: Client,
    table: String,
}

impl std::fmt::Debug for DynamoTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoTable")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

/// A client for `endpoint` (the emulator) or, without one, for AWS with the default credential
/// chain; region and credentials as `aws::sdk_config` sets them.
pub async fn dynamo_client(endpoint: Option<&str>) -> Client {
    let sdk = crate::aws::sdk_config(endpoint).await;
    let mut config = aws_sdk_dynamodb::config::Builder::from(&sdk);
    if let Some(xray) = crate::xray::Subsegments::from_env() {
        config = config.interceptor(xray);
    }
    Client::from_conf(config.build())
}

/// Creates the table (pk/sk strings, on demand, NEW_IMAGE stream, TTL on `expires_at`) unless it
/// exists, and returns once it is ACTIVE.
pub async fn ensure_table(client: &Client, name: &str) -> Result<(), TableError> {
    let key = |attr: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(attr)
            .key_type(kind)
            .build()
            .map_err(invalid)
    };
    let string_attr = |attr: &str| {
        AttributeDefinition::builder()
            .attribute_name(attr)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(invalid)
    };
    let created = client
        .create_table()
        .table_name(name)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .attribute_definitions(string_attr(PK)?)
        .attribute_definitions(string_attr(SK)?)
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .map_err(invalid)?,
        )
        .send()
        .await;
    if let Err(e) = created
        && e.code() != Some("ResourceInUseException")
    {
        return Err(translate(e));
    }

    // The SDK's waiter polls every 20 s; a new table is usually ACTIVE within a second.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(translate)?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            break;
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(TableError::Unavailable(format!(
                "table {name} did not become ACTIVE within 30 s"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let ttl = client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL)
                .build()
                .map_err(invalid)?,
        )
        .send()
        .await;
    match ttl {
        Err(e) if !e.message().unwrap_or_default().contains("already enabled") => Err(translate(e)),
        _ => Ok(()),
    }
}

fn invalid(e: impl std::fmt::Display) -> TableError {
    TableError::Invalid(e.to_string())
}

// ---------------------------------------------------------------------------------------------
// JSON ↔ AttributeValue

fn to_attr(v: &Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(xs) => AttributeValue::L(xs.iter().map(to_attr).collect()),
        Value::Object(m) => AttributeValue::M(to_attrs(m)),
    }
}

fn to_attrs(item: &Item) -> Attributes {
    item.iter().map(|(k, v)| (k.clone(), to_attr(v))).collect()
}

fn number(n: &str) -> Result<Value, TableError> {
    // Integers stay integers: counters and epoch seconds must read back as they were written.
    if let Ok(i) = n.parse::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(u) = n.parse::<u64>() {
        return Ok(Value::from(u));
    }
    n.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| TableError::Invalid(format!("unreadable number {n:?}")))
}

fn from_attr(a: &AttributeValue) -> Result<Value, TableError> {
    Ok(match a {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => number(n)?,
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::L(xs) => Value::Array(xs.iter().map(from_attr).collect::<Result<_, _>>()?),
        AttributeValue::M(m) => Value::Object(from_attrs(m)?),
        // Sets are never written by us, but read them as lists rather than fail.
        AttributeValue::Ss(xs) => Value::Array(xs.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(xs) => {
            Value::Array(xs.iter().map(|n| number(n)).collect::<Result<_, _>>()?)
        }
        other => {
            return Err(TableError::Invalid(format!(
                "unsupported attribute type {other:?}"
            )));
        }
    })
}

fn from_attrs(m: &Attributes) -> Result<Item, TableError> {
    m.iter()
        .map(|(k, v)| Ok((k.clone(), from_attr(v)?)))
        .collect()
}

fn key_attrs(key: &Key) -> Attributes {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

// ---------------------------------------------------------------------------------------------
// Expressions

/// The placeholders of one request: `#a0…` for attribute names, `:v0…` for values.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: Attributes,
    /// Building a filter: DynamoDB refuses key attributes there, and every item read exists.
    filter: bool,
}

/// Any attribute serves for the tautology `attribute_exists(x) OR attribute_not_exists(x)`; this
/// one is never a key attribute, so it is allowed in filters too.
const ANY_ATTR: &str = TTL;

impl Expr {
    fn name(&mut self, attr: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| *a == attr) {
            return placeholder.clone();
        }
        let placeholder = format!("#a{}", self.names.len());
        self.names.insert(placeholder.clone(), attr.to_owned());
        placeholder
    }

    fn value(&mut self, v: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), v);
        placeholder
    }

    fn cond(&mut self, c: &Cond) -> String {
        match c {
            Cond::NotExists if self.filter => self.constant(false),
            Cond::Exists if self.filter => self.constant(true),
            Cond::NotExists => format!("attribute_not_exists({})", self.name(PK)),
            Cond::Exists => format!("attribute_exists({})", self.name(PK)),
            Cond::Absent(a) => format!("attribute_not_exists({})", self.name(a)),
            Cond::Eq(a, v) => self.compare(a, "=", to_attr(v)),
            Cond::Ne(a, v) => self.compare(a, "<>", to_attr(v)),
            Cond::Lt(a, n) => self.numeric(a, "<", *n),
            Cond::Le(a, n) => self.numeric(a, "<=", *n),
            Cond::Gt(a, n) => self.numeric(a, ">", *n),
            Cond::And(cs) => self.join(cs, " AND "),
            Cond::Or(cs) => self.join(cs, " OR "),
        }
    }

    fn compare(&mut self, attr: &str, op: &str, v: AttributeValue) -> String {
        let name = self.name(attr);
        let value = self.value(v);
        format!("{name} {op} {value}")
    }

    /// DynamoDB finds a non-number attribute not less than any number; the explicit type test
    /// says so too, and keeps moto (which raises a TypeError comparing a string with a number)
    /// to the same answer.
    fn numeric(&mut self, attr: &str, op: &str, n: i64) -> String {
        let name = self.name(attr);
        let number = self.value(AttributeValue::S("N".to_owned()));
        let comparison = self.compare(attr, op, AttributeValue::N(n.to_string()));
        format!("(attribute_type({name}, {number}) AND {comparison})")
    }

    /// DynamoDB has no literal true or false.
    fn constant(&mut self, value: bool) -> String {
        let a = self.name(ANY_ATTR);
        if value {
            format!("(attribute_exists({a}) OR attribute_not_exists({a}))")
        } else {
            format!("(attribute_exists({a}) AND attribute_not_exists({a}))")
        }
    }

    fn join(&mut self, cs: &[Cond], op: &str) -> String {
        if cs.is_empty() {
            // The empty conjunction holds, the empty disjunction does not.
            return self.constant(op == " AND ");
        }
        let parts: Vec<String> = cs.iter().map(|c| self.cond(c)).collect();
        format!("({})", parts.join(op))
    }

    /// `SET … ADD … REMOVE …`, or None for an update that changes nothing.
    fn update(
        &mut self,
        set: &[(String, Value)],
        keep: &[(String, Value)],
        add: &[(String, i64)],
        remove: &[String],
    ) -> Option<String> {
        let mut clauses = Vec::new();
        if !set.is_empty() || !keep.is_empty() {
            let mut parts: Vec<String> = set
                .iter()
                .map(|(a, v)| {
                    let name = self.name(a);
                    let value = self.value(to_attr(v));
                    format!("{name} = {value}")
                })
                .collect();
            for (a, v) in keep {
                let name = self.name(a);
                let value = self.value(to_attr(v));
                parts.push(format!("{name} = if_not_exists({name}, {value})"));
            }
            clauses.push(format!("SET {}", parts.join(", ")));
        }
        if !add.is_empty() {
            let parts: Vec<String> = add
                .iter()
                .map(|(a, n)| {
                    let name = self.name(a);
                    let value = self.value(AttributeValue::N(n.to_string()));
                    format!("{name} {value}")
                })
                .collect();
            clauses.push(format!("ADD {}", parts.join(", ")));
        }
        if !remove.is_empty() {
            let parts: Vec<String> = remove.iter().map(|a| self.name(a)).collect();
            clauses.push(format!("REMOVE {}", parts.join(", ")));
        }
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }

    /// The maps for the request; DynamoDB refuses empty ones.
    fn into_maps(self) -> (Option<HashMap<String, String>>, Option<Attributes>) {
        (
            (!self.names.is_empty()).then_some(self.names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// The error of one request as the contract names it (a single write's condition is index 0).
fn translate<E>(e: SdkError<E>) -> TableError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let message = DisplayErrorContext(&e).to_string();
    match &e {
        SdkError::ServiceError(se) => {
            let status = se.raw().status();
            match se.err().code() {
                Some("ConditionalCheckFailedException") => TableError::ConditionFailed { index: 0 },
                Some("TransactionConflictException") => TableError::Conflict,
                Some(code) if is_throttling(code) => TableError::Throttled,
                Some("ValidationException") => {
                    TableError::Invalid(se.err().message().unwrap_or(message.as_str()).to_owned())
                }
                _ if status.is_server_error() => TableError::Unavailable(message),
                _ => TableError::Invalid(message),
            }
        }
        SdkError::ConstructionFailure(_) => TableError::Invalid(message),
        // Timeouts, dispatch failures and unreadable responses: the table may be fine a moment later.
        _ => TableError::Unavailable(message),
    }
}

fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "ProvisionedThroughputExceededException"
            | "ProvisionedThroughputExceeded"
            | "ThrottlingException"
            | "Throttling"
            | "RequestLimitExceeded"
            | "ThrottlingError"
    )
}

/// A cancelled transaction reports one reason per write, in order; the first failed condition
/// names the write that sank it.
fn translate_transaction(e: SdkError<TransactWriteItemsError>) -> TableError {
    if let Some(TransactWriteItemsError::TransactionCanceledException(tc)) = e.as_service_error() {
        let reasons = tc.cancellation_reasons();
        let has = |code: &str| reasons.iter().any(|r| r.code() == Some(code));
        if let Some(index) = reasons
            .iter()
            .position(|r| r.code() == Some("ConditionalCheckFailed"))
        {
            return TableError::ConditionFailed { index };
        }
        if has("TransactionConflict") {
            return TableError::Conflict;
        }
        if reasons.iter().any(|r| r.code().is_some_and(is_throttling)) {
            return TableError::Throttled;
        }
        if has("ValidationError") {
            let message = reasons
                .iter()
                .find(|r| r.code() == Some("ValidationError"))
                .and_then(|r| r.message())
                .unwrap_or("a write of the transaction was refused");
            return TableError::Invalid(message.to_owned());
        }
        return TableError::Unavailable(DisplayErrorContext(&e).to_string());
    }
    translate(e)
}

// ---------------------------------------------------------------------------------------------
// The table

/// A write's expressions, built once for any request that carries it: the condition, the
/// update, and the placeholders both use.
struct Expressions {
    condition: Option<String>,
    update: Option<String>,
    names: Option<HashMap<String, String>>,
    values: Option<Attributes>,
}

impl Expressions {
    fn of(w: &Write) -> Self {
        let mut expr = Expr::default();
        let condition = w.condition().map(|c| expr.cond(c));
        let update = match w {
            Write::Update {
                set,
                keep,
                add,
                remove,
                ..
            } => expr.update(set, keep, add, remove),
            _ => None,
        };
        let (names, values) = expr.into_maps();
        Self {
            condition,
            update,
            names,
            values,
        }
    }
}

/// Sets the table, the condition and its placeholders on a request builder: the SDK's single
/// writes and transaction items are distinct types with these same setters.
macro_rules! conditioned {
    ($builder:expr, $table:expr, $e:expr) => {
        $builder
            .table_name($table)
            .set_condition_expression($e.condition)
            .set_expression_attribute_names($e.names)
            .set_expression_attribute_values($e.values)
    };
}

impl DynamoTable {
    /// One write outside a transaction; with `returning`, the item as it is afterwards (for a
    /// delete, as it was).
    async fn send_one(&self, w: Write, returning: bool) -> Result<Item, TableError> {
        let key = w.validate()?;
        let e = Expressions::of(&w);
        let table = &self.table;
        match w {
            Write::Put { item, .. } => {
                conditioned!(self.client.put_item(), table, e)
                    .set_item(Some(to_attrs(&item)))
                    .send()
                    .await
                    .map_err(translate)?;
                Ok(item)
            }
            Write::Update { .. } => {
                let out = conditioned!(self.client.update_item(), table, e)
                    .set_key(Some(key_attrs(&key)))
                    .set_update_expression(e.update)
                    .return_values(if returning {
                        ReturnValue::AllNew
                    } else {
                        ReturnValue::None
                    })
                    .send()
                    .await
                    .map_err(translate)?;
                match out.attributes() {
                    Some(a) => from_attrs(a),
                    // An update without an expression returns nothing, yet leaves just the key.
                    None if returning => Ok(key.item()),
                    None => Ok(Item::new()),
                }
            }
            Write::Delete { .. } => {
                let out = conditioned!(self.client.delete_item(), table, e)
                    .set_key(Some(key_attrs(&key)))
                    .return_values(if returning {
                        ReturnValue::AllOld
                    } else {
                        ReturnValue::None
                    })
                    .send()
                    .await
                    .map_err(translate)?;
                out.attributes().map_or_else(|| Ok(Item::new()), from_attrs)
            }
            Write::Check { .. } => Err(TableError::Invalid(
                "a check belongs in a transaction".to_owned(),
            )),
        }
    }

    fn transact_item(&self, w: &Write, key: &Key) -> Result<TransactWriteItem, TableError> {
        let e = Expressions::of(w);
        let table = &self.table;
        let item = TransactWriteItem::builder();
        let item = match w {
            Write::Put { item: attrs, .. } => item.put(
                conditioned!(Put::builder(), table, e)
                    .set_item(Some(to_attrs(attrs)))
                    .build()
                    .map_err(invalid)?,
            ),
            Write::Update { .. } => item.update(
                conditioned!(Update::builder(), table, e)
                    .set_key(Some(key_attrs(key)))
                    .set_update_expression(e.update)
                    .build()
                    .map_err(invalid)?,
            ),
            Write::Delete { .. } => item.delete(
                conditioned!(Delete::builder(), table, e)
                    .set_key(Some(key_attrs(key)))
                    .build()
                    .map_err(invalid)?,
            ),
            Write::Check { .. } => item.condition_check(
                conditioned!(ConditionCheck::builder(), table, e)
                    .set_key(Some(key_attrs(key)))
                    .build()
                    .map_err(invalid)?,
            ),
        };
        Ok(item.build())
    }
}

impl DynamoTable {
    async fn get_item(&self, key: &Key, consistent: bool) -> Result<Option<Item>, TableError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(translate)?;
        out.item().map(from_attrs).transpose()
    }

    /// The Query request for `q`, ready to send (a page of items, or with `Select::Count` a count).
    fn query_request(
        &self,
        q: &Query,
    ) -> Result<aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder, TableError> {
        q.validate()?;
        let mut expr = Expr::default();
        let pk = expr.name(PK);
        let pk_value = expr.value(AttributeValue::S(q.pk.clone()));
        let mut key_condition = format!("{pk} = {pk_value}");
        if let Some(prefix) = &q.sk_prefix {
            let sk = expr.name(SK);
            let p = expr.value(AttributeValue::S(prefix.clone()));
            key_condition.push_str(&format!(" AND begins_with({sk}, {p})"));
        }
        if let Some((from, to)) = &q.sk_between {
            let sk = expr.name(SK);
            let a = expr.value(AttributeValue::S(from.clone()));
            let b = expr.value(AttributeValue::S(to.clone()));
            key_condition.push_str(&format!(" AND {sk} BETWEEN {a} AND {b}"));
        }
        expr.filter = true;
        let filter = q.filter.as_ref().map(|f| expr.cond(f));
        let (names, values) = expr.into_maps();
        Ok(self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression(key_condition)
            .set_filter_expression(filter)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .consistent_read(!q.eventually)
            .scan_index_forward(!q.descending)
            .set_limit(q.limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX)))
            .set_exclusive_start_key(
                q.after
                    .as_ref()
                    .map(|after| key_attrs(&Key::new(q.pk.clone(), after.clone()))),
            ))
    }
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.get_item(key, true).await
    }

    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.get_item(key, false).await
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        let out = self.query_request(q)?.send().await.map_err(translate)?;
        let items = out
            .items()
            .iter()
            .map(from_attrs)
            .collect::<Result<Vec<_>, _>>()?;
        let last = out
            .last_evaluated_key()
            .and_then(|k| k.get(SK))
            .and_then(|sk| sk.as_s().ok())
            .cloned();
        Ok(Page { items, last })
    }

    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        let mut q = q.clone();
        let mut n = 0;
        loop {
            let out = self
                .query_request(&q)?
                .select(Select::Count)
                .send()
                .await
                .map_err(translate)?;
            n += u64::try_from(out.count()).unwrap_or(0);
            match out
                .last_evaluated_key()
                .and_then(|k| k.get(SK))
                .and_then(|sk| sk.as_s().ok())
            {
                Some(last) => q.after = Some(last.clone()),
                None => return Ok(n),
            }
        }
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.send_one(w, false).await.map(|_| ())
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.send_one(w, true).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let keys = validate_transaction(&writes)?;
        let items = writes
            .iter()
            .zip(&keys)
            .map(|(w, k)| self.transact_item(w, k))
            .collect::<Result<Vec<_>, _>>()?;
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(translate_transaction)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::config::http::HttpResponse;
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::types::CancellationReason;
    use aws_sdk_dynamodb::types::error::TransactionCanceledException;
    use aws_smithy_types::body::SdkBody;
    use serde_json::json;

    use super::*;

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(status.try_into().expect("status"), SdkBody::empty())
    }

    fn single(code: &str, status: u16) -> TableError {
        let meta = ErrorMetadata::builder().code(code).message("msg").build();
        translate(SdkError::service_error(
            PutItemError::generic(meta),
            response(status),
        ))
    }

    fn cancelled(codes: &[&str]) -> TableError {
        let mut e = TransactionCanceledException::builder().meta(
            ErrorMetadata::builder()
                .code("TransactionCanceledException")
                .build(),
        );
        for code in codes {
            e = e.cancellation_reasons(CancellationReason::builder().code(*code).build());
        }
        translate_transaction(SdkError::service_error(
            TransactWriteItemsError::TransactionCanceledException(e.build()),
            response(400),
        ))
    }

    #[test]
    fn single_write_errors_translate_to_the_contract() {
        assert_eq!(
            single("ConditionalCheckFailedException", 400),
            TableError::ConditionFailed { index: 0 }
        );
        assert_eq!(
            single("TransactionConflictException", 400),
            TableError::Conflict
        );
        assert_eq!(
            single("ProvisionedThroughputExceededException", 400),
            TableError::Throttled
        );
        assert_eq!(single("ThrottlingException", 400), TableError::Throttled);
        assert_eq!(single("RequestLimitExceeded", 400), TableError::Throttled);
        assert_eq!(
            single("ValidationException", 400),
            TableError::Invalid("msg".to_owned())
        );
        assert!(matches!(
            single("InternalServerError", 500),
            TableError::Unavailable(_)
        ));
        assert!(matches!(
            single("ResourceNotFoundException", 400),
            TableError::Invalid(_)
        ));
        let timeout: SdkError<PutItemError> = SdkError::timeout_error("slow");
        assert!(matches!(translate(timeout), TableError::Unavailable(_)));
    }

    #[test]
    fn a_cancelled_transaction_names_the_first_failed_condition() {
        assert_eq!(
            cancelled(&[
                "None",
                "None",
                "ConditionalCheckFailed",
                "ConditionalCheckFailed"
            ]),
            TableError::ConditionFailed { index: 2 }
        );
        assert_eq!(
            cancelled(&["None", "TransactionConflict"]),
            TableError::Conflict
        );
        assert_eq!(
            cancelled(&["ThrottlingError", "None"]),
            TableError::Throttled
        );
        assert_eq!(
            cancelled(&["ProvisionedThroughputExceeded"]),
            TableError::Throttled
        );
        assert!(matches!(
            cancelled(&["ValidationError"]),
            TableError::Invalid(_)
        ));
    }

    #[test]
    fn numbers_read_back_as_integers_when_they_are() {
        assert_eq!(number("42").ok(), Some(json!(42)));
        assert_eq!(number("-7").ok(), Some(json!(-7)));
        assert_eq!(number("18446744073709551615").ok(), Some(json!(u64::MAX)));
        assert_eq!(number("1.5").ok(), Some(json!(1.5)));
        assert_eq!(number("1E+3").ok(), Some(json!(1000.0)));
        assert!(number("x").is_err());
    }

    #[test]
    fn every_attribute_goes_through_a_name_placeholder() {
        let mut e = Expr::default();
        let c = e.cond(&Cond::Or(vec![
            Cond::Absent("capacity".into()),
            Cond::And(vec![
                Cond::Lt("capacity".into(), 10),
                Cond::Ne("status".into(), json!("closed")),
            ]),
        ]));
        assert_eq!(
            c,
            "(attribute_not_exists(#a0) OR ((attribute_type(#a0, :v0) AND #a0 < :v1) AND #a1 <> :v2))"
        );
        let u = e.update(
            &[("name".into(), json!("x"))],
            &[],
            &[("n".into(), 1)],
            &["old".into()],
        );
        assert_eq!(u.as_deref(), Some("SET #a2 = :v3 ADD #a3 :v4 REMOVE #a4"));
        assert_eq!(e.names.get("#a0").map(String::as_str), Some("capacity"));
        assert_eq!(e.names.len(), 5);
        assert_eq!(e.values.len(), 5);
        let kept = e.update(&[], &[("first".into(), json!(7))], &[], &[]);
        assert_eq!(kept.as_deref(), Some("SET #a5 = if_not_exists(#a5, :v5)"));
    }
}
