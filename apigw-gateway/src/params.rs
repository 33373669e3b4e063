//! Declared parameters: found in the path, query or headers, defaulted,
//! type-checked, and sorted into the event's `*Parameters` maps.

use crate::config::{Location, Param, ParamType};
use crate::refusal::Refusal;
use std::collections::BTreeMap;

/// The declared parameters' values, by location.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Declared {
    pub(crate) path: BTreeMap<String, String>,
    pub(crate) query: BTreeMap<String, String>,
    pub(crate) header: BTreeMap<String, String>,
}

/// Checks every declared parameter; the refusal names the parameter. Path
/// parameters of the pattern that were not declared are passed on as they are.
pub(crate) fn check(
    params: &[Param],
    path_params: &BTreeMap<String, String>,
    parts: &http::request::Parts,
) -> Result<Declared, Refusal> {
    let query = apigw_events::Query::parse(parts.uri.query().unwrap_or(""));
    let mut out = Declared { path: path_params.clone(), ..Declared::default() };
    for p in params {
        let found = match p.location {
            Location::Path => path_params.get(&p.name).cloned(),
            Location::Query => query.get(&p.name).map(str::to_owned),
            Location::Header => parts.headers.get(&p.name).and_then(|v| v.to_str().ok()).map(str::to_owned),
        };
        let value = match found.or_else(|| p.default.clone()) {
            Some(v) => v,
            None if p.required => {
                return Err(Refusal::MissingParam { location: p.location, name: p.name.clone() });
            }
            None => continue,
        };
        if !type_ok(p.kind, &value) {
            let expected = type_name(p.kind);
            return Err(Refusal::BadParam { location: p.location, name: p.name.clone(), expected, value });
        }
        let map = match p.location {
            Location::Path => &mut out.path,
            Location::Query => &mut out.query,
            Location::Header => &mut out.header,
        };
        map.insert(p.name.clone(), value);
    }
    Ok(out)
}

fn type_ok(kind: ParamType, value: &str) -> bool {
    match kind {
        ParamType::String => true,
        ParamType::Int => value.parse::<i64>().is_ok(),
        ParamType::Double => value.parse::<f64>().is_ok_and(f64::is_finite),
        ParamType::Boolean => matches!(value, "true" | "false"),
    }
}

fn type_name(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String => "a string",
        ParamType::Int => "an integer",
        ParamType::Double => "a number",
        ParamType::Boolean => "true or false",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(
        name: &str,
        location: Location,
        kind: ParamType,
        required: bool,
        default: Option<&str>,
    ) -> Param {
        Param { name: name.into(), location, kind, required, default: default.map(str::to_owned) }
    }

    fn parts(uri: &str, headers: &[(&str, &str)]) -> http::request::Parts {
        let mut b = http::Request::builder().uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn values_are_typed_defaulted_and_sorted_by_location() {
        let params = [
            param("id", Location::Path, ParamType::Int, true, None),
            param("q", Location::Query, ParamType::Double, false, Some("1.5")),
            param("x-flag", Location::Header, ParamType::Boolean, true, None),
        ];
        let path = BTreeMap::from([("id".to_owned(), "42".to_owned())]);
        let got = check(&params, &path, &parts("/u/42", &[("x-flag", "true")])).unwrap();
        assert_eq!(got.path["id"], "42");
        assert_eq!(got.query["q"], "1.5");
        assert_eq!(got.header["x-flag"], "true");
    }

    #[test]
    fn missing_and_mistyped_values_name_the_parameter() {
        let params = [param("page", Location::Query, ParamType::Int, true, None)];
        let err = check(&params, &BTreeMap::new(), &parts("/", &[])).unwrap_err();
        assert_eq!(err.to_string(), "missing required query parameter `page`");
        assert_eq!(err.tencent(), (403, "querystring page is required".to_owned()));
        let err = check(&params, &BTreeMap::new(), &parts("/?page=two", &[])).unwrap_err();
        assert_eq!(err.to_string(), "query parameter `page` must be an integer, got `two`");
        let flag = [param("f", Location::Header, ParamType::Boolean, false, None)];
        assert!(check(&flag, &BTreeMap::new(), &parts("/", &[("f", "yes")])).is_err());
    }
}
