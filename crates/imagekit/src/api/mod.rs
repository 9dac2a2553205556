//! ImageKit's API as data: every operation the SDK calls, declared once in the module of
//! its resource, with v6's argument checks in v6's order and v6's messages.
//!
//! An operation reads its arguments through [`Host`], the JavaScript semantics v6's checks
//! depend on (truthiness, `typeof`, `String()`, property reads, `JSON.stringify`), declared
//! in [`crate::js`]. The N-API layer implements it once over Node's values; the typed Rust
//! client ([`crate::ImageKit`]) and the tests here implement it over Rust values
//! (`values`), so each operation's request is built, and checked, without Node.

use std::ffi::CStr;

pub use crate::http::retry::Repeat;
use crate::http::{ApiRequest, Body, Method};
use crate::js::{Exception, Host, HostResult, Kind};
use crate::media;
use crate::messages::ErrorMessage;

pub mod bulk;
pub mod cache;
pub mod custom_metadata_fields;
mod failure;
pub mod files;
pub mod folders;
pub mod metadata;
pub mod named_transformations;
pub mod options;
pub mod origins;
mod params;
pub mod policy;
pub mod report;
pub mod saved_extensions;
pub mod sync_methods;
pub mod upload;
pub mod url_endpoints;
pub mod usage;
pub mod versions;

pub(crate) mod values;

pub use failure::{answer, Failure};

pub const DEFAULT_API_ENDPOINT: &str = "https://api.imagekit.io";
pub const DEFAULT_UPLOAD_ENDPOINT: &str = "https://upload.imagekit.io/api/v1/files/upload";

/// A JavaScript error v6 throws or reports for an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thrown {
    pub type_error: bool,
    pub message: String,
    /// A Node-style `code`.
    pub code: Option<&'static str>,
}

impl Thrown {
    pub fn type_error(message: impl Into<String>) -> Self {
        Self {
            type_error: true,
            message: message.into(),
            code: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self {
            type_error: false,
            message: message.into(),
            code: None,
        }
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}

/// Why a call ends before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// One of v6's `{ message, help }` argument errors.
    Argument(&'static ErrorMessage),
    /// An error thrown while the arguments are read: in callback mode it is thrown, in
    /// promise mode the promise rejects with it (v6 reads inside the Promise executor).
    Thrown(Thrown),
    /// An error v6 only reports once its request is under way: delivered asynchronously.
    Deferred(Thrown),
    /// The host's pending exception, treated as [`Invalid::Thrown`].
    Host,
}

impl From<Exception> for Invalid {
    fn from(_: Exception) -> Self {
        Invalid::Host
    }
}

impl From<&'static ErrorMessage> for Invalid {
    fn from(message: &'static ErrorMessage) -> Self {
        Invalid::Argument(message)
    }
}

pub type Validated<T> = std::result::Result<T, Invalid>;

/// How one value is read from the arguments.
#[derive(Debug, Clone, Copy)]
pub struct Read {
    arg: usize,
    field: Option<&'static CStr>,
    /// `(arg || {}).field` rather than `arg.field` (V8's TypeError for null, undefined).
    or_empty: bool,
    /// `= false`: undefined reads as false.
    or_false: bool,
}

impl Read {
    /// The argument itself.
    pub const fn arg(arg: usize) -> Self {
        Self {
            arg,
            field: None,
            or_empty: false,
            or_false: false,
        }
    }

    /// `arg.field`, as v6's destructuring reads it.
    pub const fn field(arg: usize, field: &'static CStr) -> Self {
        Self {
            arg,
            field: Some(field),
            or_empty: false,
            or_false: false,
        }
    }

    /// `(arg || {}).field`.
    pub const fn field_or_empty(arg: usize, field: &'static CStr) -> Self {
        Self {
            or_empty: true,
            ..Self::field(arg, field)
        }
    }

    /// With the default `= false`.
    pub const fn or_false(self) -> Self {
        Self {
            or_false: true,
            ..self
        }
    }
}

/// One of v6's tests on a value read.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    /// `!!value`.
    Truthy,
    /// lodash `isObject`: an object or a function.
    Object,
    /// `!value || isObject(value)`.
    FalsyOrObject,
    /// `typeof value === "string" && value.length > 0`.
    NonEmptyString,
    /// A non-empty array of strings.
    StringArray,
    /// `typeof value === "boolean"`.
    Boolean,
    /// `!(!value && !value.length)`, as v6's cache methods test.
    TruthyOrLength,
    /// `value && value.length`.
    HasLength,
    /// `!!value[name]`.
    HasTruthy(&'static CStr),
    /// `value || reads[other]`.
    EitherTruthy(usize),
    /// `value === undefined || typeof value === "boolean"`: an optional flag.
    OptionalBoolean,
    /// A string naming a calendar day, `YYYY-MM-DD`.
    CalendarDate,
}

/// One step of an operation's argument handling, in v6's order.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Reads a value; values are numbered in the order they are read.
    Read(Read),
    /// Value `read` must pass `test`, or the call fails with `error`.
    Check {
        read: usize,
        test: Test,
        error: &'static ErrorMessage,
    },
    /// Reads a value that only a check needs (it is not numbered) and checks it.
    Require {
        read: Read,
        test: Test,
        error: &'static ErrorMessage,
    },
}

pub const fn check(read: usize, test: Test, error: &'static ErrorMessage) -> Step {
    Step::Check { read, test, error }
}

/// `(arg || {})[name]` must pass `test`, or the call fails with `error`: a required field
/// of an options object, for the methods v6 lacks (a missing object is a missing field,
/// never V8's TypeError).
pub const fn require(
    arg: usize,
    name: &'static CStr,
    test: Test,
    error: &'static ErrorMessage,
) -> Step {
    Step::Require {
        read: Read::field_or_empty(arg, name),
        test,
        error,
    }
}

/// A piece of the route under `/v1/`.
#[derive(Debug, Clone, Copy)]
pub enum Segment {
    Literal(&'static str),
    /// `String(reads[read])`, percent-encoded as one segment; `.` and `..`, which name no
    /// file, fail with `error`.
    Id(usize, &'static ErrorMessage),
}

/// When a body field is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    Truthy,
}

/// Where a body field's value comes from.
#[derive(Debug, Clone, Copy)]
pub enum FieldValue {
    /// `reads[read]`.
    Read(usize),
    /// `reads[read][name]`, read while the body is built (after every check).
    FieldOf(usize, &'static CStr),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static CStr,
    pub from: FieldValue,
    pub when: When,
}

pub const fn field(name: &'static CStr, read: usize) -> Field {
    Field {
        name,
        from: FieldValue::Read(read),
        when: When::Always,
    }
}

/// The query string.
#[derive(Debug, Clone, Copy)]
pub enum Query {
    None,
    /// axios's serialisation of `reads[read]` as `params`, with a non-empty `tags` array
    /// joined with commas (v6's listFiles).
    ListOptions(usize),
    /// `name=value` per field whose value is neither null nor undefined.
    Fields(&'static [Field]),
}

#[derive(Debug, Clone, Copy)]
pub enum Payload {
    None,
    /// `JSON.stringify` of an object with these fields.
    Json(&'static [Field]),
    /// `JSON.stringify(reads[read])`: an options object sent as the caller wrote it, as
    /// the newer SDK sends the bodies of the API areas v6 lacks.
    Whole(usize),
}

/// A media API operation described by a table.
#[derive(Debug)]
pub struct Table {
    pub method: Method,
    /// Reads and checks, in v6's order.
    pub steps: &'static [Step],
    pub route: &'static [Segment],
    pub query: Query,
    pub body: Payload,
}

/// How an operation builds its request.
#[derive(Debug)]
pub enum Build {
    Table(Table),
    /// The upload API: a multipart form, one field per option in `for…in` order.
    Upload,
    /// A stored file's metadata or a remote URL's, by the shape of one argument.
    FileMetadata,
}

/// One method of the SDK and the request it makes.
#[derive(Debug)]
pub struct Operation {
    /// The method's name in JavaScript.
    pub name: &'static str,
    /// Arguments before the trailing callback.
    pub arity: usize,
    pub build: Build,
    /// Whether a retry may repeat the request once it went out.
    pub repeat: Repeat,
}

impl Operation {
    /// An operation described by a table.
    pub const fn table(
        name: &'static str,
        arity: usize,
        method: Method,
        steps: &'static [Step],
        route: &'static [Segment],
        query: Query,
        body: Payload,
    ) -> Self {
        Self {
            name,
            arity,
            // Every GET is a read; any other method is sent once unless declared
            // idempotent.
            repeat: match method {
                Method::Get => Repeat::Idempotent,
                _ => Repeat::Once,
            },
            build: Build::Table(Table {
                method,
                steps,
                route,
                query,
                body,
            }),
        }
    }

    /// An update that sets a state (tags, details, a field's schema): sending it twice
    /// leaves what sending it once does, so it may be retried after it went out.
    pub const fn idempotent(self) -> Self {
        Self {
            repeat: Repeat::Idempotent,
            ..self
        }
    }

    /// One argument, an identifier that must be truthy (v6's `if (!id)`), and a request
    /// with neither query nor body.
    pub const fn by_id(
        name: &'static str,
        method: Method,
        steps: &'static [Step],
        route: &'static [Segment],
    ) -> Self {
        Self::table(name, 1, method, steps, route, Query::None, Payload::None)
    }
}

/// copyFile, moveFile, copyFolder and moveFolder: `{ <source>, destinationPath }` and, for
/// a copy, `includeFileVersions` (default false), read as v6 destructures them and checked
/// in v6's order.
macro_rules! transfer {
    ($name:literal, $route:literal, $source:literal, $invalid:expr, copy) => {
        transfer!(@ $name, $route, $source, $invalid,
            [$crate::api::Step::Read($crate::api::Read::field(0, c"includeFileVersions").or_false())],
            [$crate::api::check(2, $crate::api::Test::Boolean, &$crate::messages::INVALID_INCLUDE_VERSION)],
            [$crate::api::field(c"includeFileVersions", 2)])
    };
    ($name:literal, $route:literal, $source:literal, $invalid:expr, move) => {
        transfer!(@ $name, $route, $source, $invalid, [], [], [])
    };
    (@ $name:literal, $route:literal, $source:literal, $invalid:expr,
        [$($read:expr)?], [$($check:expr)?], [$($field:expr)?]) => {
        $crate::api::Operation::table(
            $name,
            1,
            $crate::http::Method::Post,
            &[
                $crate::api::Step::Read($crate::api::Read::field(0, $source)),
                $crate::api::Step::Read($crate::api::Read::field(0, c"destinationPath")),
                $($read,)?
                $crate::api::check(0, $crate::api::Test::NonEmptyString, $invalid),
                $crate::api::check(
                    1,
                    $crate::api::Test::NonEmptyString,
                    &$crate::messages::INVALID_DESTINATION_FOLDER_PATH,
                ),
                $($check,)?
            ],
            &[$crate::api::Segment::Literal($route)],
            $crate::api::Query::None,
            $crate::api::Payload::Json(&[
                $crate::api::field($source, 0),
                $crate::api::field(c"destinationPath", 1),
                $($field,)?
            ]),
        )
    };
}
use transfer;

/// The five operations of a resource of the account the newer API manages (saved
/// extensions, named transformations, origins, URL endpoints): list, create, get, update
/// and delete, under one route. Ids are required non-empty strings, checked first; the
/// create and update options are objects, sent as written, after their required fields
/// are checked in the order listed.
macro_rules! resource {
    (
        route: $route:literal,
        id: $id:expr,
        data: $data:expr,
        list: $list:literal,
        create: $create:literal { $($create_field:literal: $create_test:ident => $create_error:expr),* $(,)? },
        get: $get:literal,
        update: $update:literal $method:ident { $($update_field:literal: $update_test:ident => $update_error:expr),* $(,)? },
        delete: $delete:literal $(,)?
    ) => {{
        use $crate::api::{check, require, Operation, Payload, Query, Read, Segment, Step, Test};
        use $crate::http::Method;
        const ID: &[Step] = &[Step::Read(Read::arg(0)), check(0, Test::NonEmptyString, $id)];
        const ONE: &[Segment] = &[Segment::Literal(concat!($route, "/")), Segment::Id(0, $id)];
        const ALL: &[Segment] = &[Segment::Literal($route)];
        [
            Operation::table($list, 0, Method::Get, &[], ALL, Query::None, Payload::None),
            Operation::table(
                $create,
                1,
                Method::Post,
                &[
                    Step::Read(Read::arg(0)),
                    $(require(0, $create_field, Test::$create_test, $create_error),)*
                ],
                ALL,
                Query::None,
                Payload::Whole(0),
            ),
            Operation::by_id($get, Method::Get, ID, ONE),
            Operation::table(
                $update,
                2,
                Method::$method,
                &[
                    Step::Read(Read::arg(0)),
                    check(0, Test::NonEmptyString, $id),
                    Step::Read(Read::arg(1)),
                    check(1, Test::Object, $data),
                    $(require(1, $update_field, Test::$update_test, $update_error),)*
                ],
                ONE,
                Query::None,
                Payload::Whole(1),
            )
            .idempotent(),
            Operation::by_id($delete, Method::Delete, ID, ONE),
        ]
    }};
}
use resource;

/// Every operation, by resource.
pub const RESOURCES: &[&[Operation]] = &[
    upload::OPERATIONS,
    files::OPERATIONS,
    versions::OPERATIONS,
    metadata::OPERATIONS,
    bulk::OPERATIONS,
    cache::OPERATIONS,
    folders::OPERATIONS,
    custom_metadata_fields::OPERATIONS,
    saved_extensions::OPERATIONS,
    named_transformations::OPERATIONS,
    origins::OPERATIONS,
    url_endpoints::OPERATIONS,
    usage::OPERATIONS,
];

/// Every operation.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    RESOURCES.iter().copied().flatten()
}

/// The operation a method name calls.
pub fn operation(name: &str) -> Option<&'static Operation> {
    operations().find(|operation| operation.name == name)
}

/// The operation named `name`, found while compiling: a method bound with
/// `const OPERATION: &Operation = api::declared("...")` costs no lookup when it is called,
/// and a name that no operation declares fails the build.
pub const fn declared(name: &str) -> &'static Operation {
    let mut resource = 0;
    while resource < RESOURCES.len() {
        let operations = RESOURCES[resource];
        let mut i = 0;
        while i < operations.len() {
            if same(operations[i].name.as_bytes(), name.as_bytes()) {
                return &operations[i];
            }
            i += 1;
        }
        resource += 1;
    }
    panic!("no operation is declared under this name")
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The request `operation` makes for `args`, with the instance's `options` (v6 reads
/// `apiEndpoint` and `uploadEndpoint` from them once the arguments have passed).
pub fn request<H: Host>(
    host: &H,
    operation: &Operation,
    options: H::Value,
    args: &[H::Value],
) -> Validated<ApiRequest> {
    let arg = |i: usize| nth(args, i);
    match &operation.build {
        Build::Table(table) => build_table(host, table, options, &arg),
        Build::Upload => upload::request(host, options, arg(0)?),
        Build::FileMetadata => metadata::request(host, options, arg(0)?),
    }
}

fn build_table<H: Host>(
    host: &H,
    table: &Table,
    options: H::Value,
    arg: &dyn Fn(usize) -> Validated<H::Value>,
) -> Validated<ApiRequest> {
    let mut values = Vec::with_capacity(table.steps.len());
    for step in table.steps {
        match *step {
            Step::Read(read) => values.push(read_value(host, &read, arg(read.arg)?)?),
            Step::Check { read, test, error } => {
                if !passes(host, test, nth(&values, read)?, &values)? {
                    return Err(Invalid::Argument(error));
                }
            }
            Step::Require { read, test, error } => {
                let value = read_value(host, &read, arg(read.arg)?)?;
                if !passes(host, test, value, &values)? {
                    return Err(Invalid::Argument(error));
                }
            }
        }
    }
    let mut route = String::new();
    for segment in table.route {
        match *segment {
            Segment::Literal(text) => route.push_str(text),
            Segment::Id(read, error) => {
                route.push_str(&path_segment(host, nth(&values, read)?, error)?)
            }
        }
    }
    let body = match table.body {
        Payload::None => Body::Empty,
        Payload::Json(fields) => {
            Body::Json(host.stringify_fields(&fields_of(host, fields, &values)?)?)
        }
        Payload::Whole(read) => Body::Json(
            host.stringify(nth(&values, read)?)?
                .unwrap_or_else(|| "{}".to_owned()),
        ),
    };
    let url = api_url(host, options, &route)?;
    let url = match table.query {
        Query::None => url,
        Query::ListOptions(read) => {
            media::with_query(&url, &params::list_options(host, nth(&values, read)?)?)
        }
        Query::Fields(fields) => {
            let mut pairs = Vec::new();
            for (name, value) in fields_of(host, fields, &values)? {
                if !matches!(host.kind(value)?, Kind::Undefined | Kind::Null) {
                    pairs.push((
                        name.to_string_lossy().into_owned(),
                        params::convert(host, value)?,
                    ));
                }
            }
            media::with_query(&url, &pairs)
        }
    };
    Ok(ApiRequest {
        method: table.method,
        url,
        body,
    })
}

/// Value `i` of a call: an argument, or a value its steps read. A declaration that names
/// one it does not have is an error of this package, reported rather than a panic (and
/// `declarations_only_use_values_they_have` keeps every declaration clear of it).
fn nth<V: Copy>(values: &[V], i: usize) -> Validated<V> {
    values.get(i).copied().ok_or_else(|| {
        Invalid::Thrown(Thrown::error(format!(
            "an operation declaration uses value {i}, which it does not have"
        )))
    })
}

fn fields_of<H: Host>(
    host: &H,
    fields: &[Field],
    values: &[H::Value],
) -> Validated<Vec<(&'static CStr, H::Value)>> {
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match field.from {
            FieldValue::Read(read) => nth(values, read)?,
            FieldValue::FieldOf(read, name) => host.get(nth(values, read)?, name)?,
        };
        if field.when == When::Always || host.truthy(value)? {
            out.push((field.name, value));
        }
    }
    Ok(out)
}

fn read_value<H: Host>(host: &H, read: &Read, arg: H::Value) -> Validated<H::Value> {
    let value = match read.field {
        None => arg,
        Some(_) if read.or_empty && !host.truthy(arg)? => host.undefined()?,
        Some(name) => prop(host, arg, name)?,
    };
    if read.or_false && host.kind(value)? == Kind::Undefined {
        return Ok(host.boolean(false)?);
    }
    Ok(value)
}

/// Node's `ERR_INVALID_ARG_TYPE` for argument `name`, which had to be `expected`: what
/// Node's own functions (`crypto.createHmac`, `Buffer.from`) throw where v6 hands them a
/// value of the wrong type.
pub fn invalid_arg_type<H: Host>(host: &H, name: &str, expected: &str, value: H::Value) -> Invalid {
    match crate::js::describe(host, value) {
        Ok(received) => Invalid::Thrown(
            Thrown::type_error(format!(
                "The \"{name}\" argument must be {expected}. Received {received}"
            ))
            .with_code("ERR_INVALID_ARG_TYPE"),
        ),
        Err(Exception) => Invalid::Host,
    }
}

/// v6's `promisify`: whether the call is in callback mode. A callback that is given must
/// be a function.
pub fn callback_mode<H: Host>(host: &H, callback: H::Value) -> Validated<bool> {
    match host.kind(callback)? {
        Kind::Undefined => Ok(false),
        Kind::Function => Ok(true),
        _ => Err(Invalid::Thrown(Thrown::error(
            "Callback must be a function.",
        ))),
    }
}

/// `value.name`, with V8's TypeError when `value` is null or undefined.
pub fn prop<H: Host>(host: &H, value: H::Value, name: &CStr) -> Validated<H::Value> {
    match host.kind(value)? {
        kind @ (Kind::Undefined | Kind::Null) => {
            let what = if kind == Kind::Null {
                "null"
            } else {
                "undefined"
            };
            Err(Invalid::Thrown(Thrown::type_error(format!(
                "Cannot read properties of {what} (reading '{}')",
                name.to_string_lossy()
            ))))
        }
        _ => Ok(host.get(value, name)?),
    }
}

fn passes<H: Host>(host: &H, test: Test, value: H::Value, values: &[H::Value]) -> Validated<bool> {
    Ok(match test {
        Test::Truthy => host.truthy(value)?,
        Test::Object => is_object(host, value)?,
        Test::FalsyOrObject => !host.truthy(value)? || is_object(host, value)?,
        Test::NonEmptyString => non_empty_string(host, value)?,
        Test::StringArray => string_array(host, value)?,
        Test::Boolean => host.kind(value)? == Kind::Boolean,
        Test::TruthyOrLength => {
            host.truthy(value)? || host.truthy(prop(host, value, c"length")?)?
        }
        Test::HasLength => host.truthy(value)? && host.truthy(prop(host, value, c"length")?)?,
        Test::HasTruthy(name) => host.truthy(prop(host, value, name)?)?,
        Test::EitherTruthy(other) => host.truthy(value)? || host.truthy(nth(values, other)?)?,
        Test::OptionalBoolean => matches!(host.kind(value)?, Kind::Undefined | Kind::Boolean),
        Test::CalendarDate => is_string(host, value)? && is_calendar_date(&host.text(value)?),
    })
}

/// `YYYY-MM-DD` with a month and a day in range (the server judges the rest).
fn is_calendar_date(text: &str) -> bool {
    let number = |part: Option<&str>, digits: usize| {
        part.filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let mut parts = text.split('-');
    let (year, month, day) = (
        number(parts.next(), 4),
        number(parts.next(), 2),
        number(parts.next(), 2),
    );
    parts.next().is_none()
        && year.is_some()
        && month.is_some_and(|m| (1..=12).contains(&m))
        && day.is_some_and(|d| (1..=31).contains(&d))
}

/// lodash `isObject`: an object or a function.
pub fn is_object<H: Host>(host: &H, value: H::Value) -> HostResult<bool> {
    Ok(matches!(host.kind(value)?, Kind::Object | Kind::Function))
}

pub fn is_string<H: Host>(host: &H, value: H::Value) -> HostResult<bool> {
    Ok(host.kind(value)? == Kind::String)
}

fn non_empty_string<H: Host>(host: &H, value: H::Value) -> HostResult<bool> {
    Ok(is_string(host, value)? && !host.text(value)?.is_empty())
}

fn string_array<H: Host>(host: &H, value: H::Value) -> HostResult<bool> {
    if !host.is_array(value)? {
        return Ok(false);
    }
    let elements = host.elements(value)?;
    if elements.is_empty() {
        return Ok(false);
    }
    for element in elements {
        if !is_string(host, element)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// An identifier for a path: `String(value)`, encoded as one segment.
fn path_segment<H: Host>(
    host: &H,
    value: H::Value,
    error: &'static ErrorMessage,
) -> Validated<String> {
    let text = host.to_string(value)?;
    media::path_segment(&text).ok_or(Invalid::Argument(error))
}

/// `options[name]` converted to a string when truthy, else `default`.
pub fn option<H: Host>(
    host: &H,
    options: H::Value,
    name: &CStr,
    default: &str,
) -> HostResult<String> {
    if !is_object(host, options)? {
        return Ok(default.to_owned());
    }
    let value = host.get(options, name)?;
    if host.truthy(value)? {
        host.to_string(value)
    } else {
        Ok(default.to_owned())
    }
}

/// The private key requests are authenticated with.
pub fn private_key<H: Host>(host: &H, options: H::Value) -> HostResult<String> {
    option(host, options, c"privateKey", "")
}

fn api_url<H: Host>(host: &H, options: H::Value, route: &str) -> HostResult<String> {
    Ok(media::api_url(
        &option(host, options, c"apiEndpoint", DEFAULT_API_ENDPOINT)?,
        route,
    ))
}

/// `Array.prototype.join(",")`.
pub(crate) fn join<H: Host>(host: &H, array: H::Value) -> HostResult<String> {
    let mut parts = Vec::new();
    for element in host.elements(array)? {
        parts.push(match host.kind(element)? {
            Kind::Undefined | Kind::Null => String::new(),
            _ => host.to_string(element)?,
        });
    }
    Ok(parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::values::{Values, V};
    use super::*;
    use crate::messages;

    #[test]
    fn every_method_is_declared_once() {
        let mut names: Vec<_> = operations().map(|e| e.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(count, 28 + 23);
    }

    #[test]
    fn only_reads_and_state_setting_updates_may_be_repeated() {
        let mut repeatable: Vec<_> = operations()
            .filter(|e| e.repeat == Repeat::Idempotent)
            .filter(|e| !matches!(&e.build, Build::Table(t) if t.method == Method::Get))
            .map(|e| e.name)
            .collect();
        repeatable.sort_unstable();
        assert_eq!(
            repeatable,
            [
                "bulkAddTags",
                "bulkRemoveAITags",
                "bulkRemoveTags",
                "getFileMetadata",
                "updateCustomMetadataField",
                "updateFileDetails",
                "updateNamedTransformation",
                "updateOrigin",
                "updateSavedExtension",
                "updateUrlEndpoint",
            ]
        );
        for once in [
            "upload",
            "deleteFile",
            "copyFolder",
            "renameFolder",
            "purgeCache",
        ] {
            assert_eq!(
                operation(once).map(|e| e.repeat),
                Some(Repeat::Once),
                "{once}"
            );
        }
    }

    #[test]
    fn declarations_only_use_values_they_have() {
        for operation in operations() {
            let Build::Table(table) = &operation.build else {
                continue;
            };
            let mut read = 0;
            for step in table.steps {
                match *step {
                    Step::Read(r) => {
                        assert!(
                            r.arg < operation.arity,
                            "{}: argument {}",
                            operation.name,
                            r.arg
                        );
                        read += 1;
                    }
                    Step::Check { read: i, test, .. } => {
                        assert!(
                            i < read,
                            "{}: checks value {i} before reading it",
                            operation.name
                        );
                        if let Test::EitherTruthy(other) = test {
                            assert!(other < read, "{}: value {other}", operation.name);
                        }
                    }
                    Step::Require { read: r, test, .. } => {
                        assert!(
                            r.arg < operation.arity,
                            "{}: argument {}",
                            operation.name,
                            r.arg
                        );
                        assert!(
                            !matches!(test, Test::EitherTruthy(_)),
                            "{}: a required field is tested alone",
                            operation.name
                        );
                    }
                }
            }
            let mut used: Vec<usize> = table
                .route
                .iter()
                .filter_map(|s| match s {
                    Segment::Id(i, _) => Some(*i),
                    Segment::Literal(_) => None,
                })
                .collect();
            let query: &[Field] = match table.query {
                Query::Fields(q) => q,
                Query::None | Query::ListOptions(_) => &[],
            };
            let body: &[Field] = match table.body {
                Payload::Json(b) => b,
                Payload::Whole(i) => {
                    used.push(i);
                    &[]
                }
                Payload::None => &[],
            };
            let fields = [query, body].concat();
            used.extend(fields.iter().map(|f| match f.from {
                FieldValue::Read(i) | FieldValue::FieldOf(i, _) => i,
            }));
            if let Query::ListOptions(i) = table.query {
                used.push(i);
            }
            for i in used {
                assert!(i < read, "{}: uses value {i} of {read}", operation.name);
            }
        }
    }

    #[test]
    fn a_destructured_field_of_undefined_is_v8s_type_error() {
        let model = Values::default();
        assert_eq!(
            model.call("copyFile", [V::Undefined]),
            Err(Invalid::Thrown(Thrown::type_error(
                "Cannot read properties of undefined (reading 'sourceFilePath')"
            )))
        );
        // `(options || {}).fileId` reads nothing from null.
        assert_eq!(
            model.call("getFileVersionDetails", [V::Null]),
            Err(Invalid::Argument(&messages::FILE_ID_MISSING))
        );
    }
}
