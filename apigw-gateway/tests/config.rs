//! `apigw.toml` mistakes the gateway refuses at load, each naming the file,
//! the line and the field.

use apigw_gateway::GatewayConfig;

fn refused(toml: &str) -> String {
    match GatewayConfig::parse(toml, "apigw.toml") {
        Ok(_) => panic!("accepted:\n{toml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn two_apis_with_the_same_path_and_method_are_refused_naming_both_lines() {
    let toml = r#"
[[routes]]
path = "/users/{id}"
method = "GET"

[[routes]]
path = "/other"

[[routes]]
path = "/Users/[name]"
method = "get"
"#;
    assert_eq!(
        refused(toml),
        "apigw.toml:10: `routes[2]` (line 10) and `routes[0]` (line 3) are the same API: \
         GET `/Users/[name]` and GET `/users/{id}` (APIs with the same path and method are one API \
         whatever their stage; paths are compared case-insensitively, parameter names ignored)"
    );
}

#[test]
fn the_same_path_with_another_method_or_marker_is_another_api() {
    let toml = r#"
[[routes]]
path = "/users"
method = "GET"
[[routes]]
path = "/users"
method = "POST"
[[routes]]
path = "=/users"
method = "GET"
[[routes]]
path = "/users"
flavour = "function-url"
method = "GET"
"#;
    let config = GatewayConfig::parse(toml, "apigw.toml").unwrap();
    assert_eq!(config.routes.len(), 4);
    let twice_any = "[[routes]]\npath = \"/a\"\n[[routes]]\npath = \"/A\"\n";
    assert!(refused(twice_any).starts_with("apigw.toml:4: `routes[1]` (line 4) and `routes[0]` (line 2)"));
}
