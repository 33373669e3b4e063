//! The variants other projects have seen the vendors send: scalars that are
//! not strings in string maps, empty ids, function-URL events, and
//! responses with fields the gateway does not read. Typed events keep what
//! was sent; a `Request` reads text.

use apigw_events::{EventValue, FrontDoor, IntegrationResponse, Request, Scalar, Vendor, aliyun, tencent};
use serde_json::{Value, json};

fn typed_round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(event: &Value) -> (T, Value) {
    let typed: T = serde_json::from_value(event.clone()).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    (typed, back)
}

fn request(event: &Value) -> Request {
    let bytes = serde_json::to_vec(event).unwrap();
    let direct = Request::from_slice(&bytes).unwrap();
    assert_eq!(direct, Request::from_value(event.clone()).unwrap(), "both paths agree");
    direct
}

#[test]
fn a_bare_query_key_is_true_in_the_event_and_empty_in_the_request() {
    // `?debug&x=1&tag=a&tag` as Tencent sends it.
    let event = json!({
        "requestContext": {"serviceId": "service-1", "requestId": "r1", "stage": "release"},
        "headers": {"host": "example.com"}, "httpMethod": "GET", "path": "/",
        "queryString": {"debug": true, "x": "1", "tag": ["a", true]}
    });
    let (typed, back) = typed_round_trip::<tencent::ApiGatewayEvent>(&event);
    assert_eq!(typed.query_string["debug"], EventValue::One(Scalar::Bool(true)));
    assert_eq!(back["queryString"], event["queryString"], "the round trip gives `true` back");

    let req = request(&event);
    assert_eq!(req.query("debug"), Some(""));
    assert_eq!(req.query("x"), Some("1"));
    assert_eq!(req.query_all("tag").collect::<Vec<_>>(), ["a", ""]);
    assert_eq!(Request::try_from(typed).unwrap(), req, "the typed event reads the same");
}

#[test]
fn numbers_become_their_text_and_nulls_are_absent() {
    let event = json!({
        "path": "/users/7", "httpMethod": "POST",
        "headers": {"Content-Length": 17, "X-Ca-Stage": "RELEASE", "X-Trace": null},
        "queryParameters": {"age": 19, "ratio": 0.5, "big": 1e20, "gone": null, "list": [1, "b"]},
        "pathParameters": {"id": 7, "none": null},
        "body": "", "isBase64Encoded": false
    });
    let (typed, back) = typed_round_trip::<aliyun::ApiGatewayEvent>(&event);
    assert_eq!(typed.query_parameters["age"], EventValue::One(Scalar::Number("19".into())));
    assert_eq!(typed.path_parameters["id"], Scalar::Number("7".into()));
    assert_eq!(typed.path_parameters["none"], Scalar::Null);
    for field in ["headers", "queryParameters", "pathParameters"] {
        assert_eq!(back[field], event[field], "{field} keeps what was sent");
    }

    let req = request(&event);
    assert_eq!(req.context.vendor, Some(Vendor::Aliyun));
    assert_eq!(req.header("content-length"), Some("17"));
    assert!(!req.headers.contains("x-trace"));
    assert_eq!(req.query("age"), Some("19"));
    assert_eq!(req.query("ratio"), Some("0.5"));
    assert_eq!(req.query("big"), Some("1e+20"));
    assert_eq!(req.query("gone"), None);
    assert_eq!(req.query_all("list").collect::<Vec<_>>(), ["1", "b"]);
    assert_eq!(req.path_param("id"), Some("7"));
    assert_eq!(req.path_param("none"), None);
    assert_eq!(Request::try_from(typed).unwrap(), req);
}

#[test]
fn tencent_parameter_maps_and_stage_variables_take_scalars_too() {
    let event = json!({
        "requestContext": {"serviceId": "service-1", "path": "/u/{id}", "httpMethod": "ANY", "stage": "test"},
        "path": "/u/7", "httpMethod": "GET",
        "pathParameters": {"id": 7}, "queryStringParameters": {"flag": true},
        "headerParameters": {"X-N": 1.5}, "stageVariables": {"replicas": 3, "off": false},
        "queryString": null
    });
    let (typed, back) = typed_round_trip::<tencent::ApiGatewayEvent>(&event);
    assert_eq!(typed.stage_variables["off"], Scalar::Bool(false));
    for field in ["pathParameters", "queryStringParameters", "headerParameters", "stageVariables"] {
        assert_eq!(back[field], event[field], "{field} keeps what was sent");
    }
    let req = request(&event);
    assert_eq!(req.path_param("id"), Some("7"));
    assert_eq!(req.context.query_parameters["flag"], "");
    // No `queryString`: the declared parameters stand in for the query.
    assert_eq!(req.query("flag"), Some(""));
    assert_eq!(req.context.header_parameters["X-N"], "1.5");
    assert_eq!(req.stage_variable("replicas"), Some("3"));
    assert_eq!(req.stage_variable("off"), Some("false"));
}

#[test]
fn empty_ids_stage_and_addresses_are_absent_in_every_field() {
    let tencent = json!({
        "requestContext": {"serviceId": "", "path": "", "httpMethod": "GET", "requestId": "",
                           "identity": {"secretId": ""}, "sourceIp": "", "stage": ""},
        "headers": {"x-api-requestid": "from-header"}, "path": "/", "httpMethod": "GET"
    });
    let (typed, back) = typed_round_trip::<tencent::ApiGatewayEvent>(&tencent);
    assert_eq!(typed.request_context.as_ref().unwrap().request_id.as_deref(), Some(""));
    assert_eq!(back["requestContext"]["requestId"], "", "the typed event keeps the empty id");
    assert_eq!(typed.request_id(), Some("from-header"));
    let req = request(&tencent);
    let ctx = &req.context;
    assert_eq!(ctx.request_id.as_deref(), Some("from-header"), "an empty id falls through to the header");
    assert_eq!((&ctx.stage, &ctx.source_ip, &ctx.key_id), (&None, &None, &None));
    assert_eq!((&ctx.api_path, &ctx.service_id), (&None, &None));

    let no_header =
        json!({"requestContext": {"serviceId": "s", "requestId": ""}, "path": "/", "httpMethod": "GET"});
    assert_eq!(request(&no_header).context.request_id, None, "not Some(\"\")");

    let aliyun = json!({
        "path": "/", "httpMethod": "GET", "queryParameters": {},
        "headers": {"X-Ca-Stage": "", "X-Ca-Api-Gateway": "", "X-Ca-Request-Id": "ca-1",
                    "X-Forwarded-For": "", "X-Ca-Key": ""}
    });
    let ctx = request(&aliyun).context;
    assert_eq!(ctx.request_id.as_deref(), Some("ca-1"));
    assert_eq!((ctx.stage, ctx.source_ip, ctx.key_id), (None, None, None));
}

#[test]
fn a_function_url_event_gives_its_request_id_caller_and_front_door() {
    let event = json!({
        "body": "{\"a\":1}", "httpMethod": "POST", "path": "/release/orders",
        "headers": {"content-type": "application/json", "x-scf-request-id": "fu-1",
                    "x-scf-remote-addr": "203.0.113.9"},
        "queryString": {"a": "1"}
    });
    let (typed, _) = typed_round_trip::<tencent::ApiGatewayEvent>(&event);
    assert!(typed.is_function_url());
    assert_eq!((typed.request_id(), typed.source_ip()), (Some("fu-1"), Some("203.0.113.9")));

    let req = request(&event);
    assert_eq!(req.context.vendor, Some(Vendor::Tencent));
    assert_eq!(req.context.front_door, Some(FrontDoor::FunctionUrl));
    assert_eq!(req.context.request_id.as_deref(), Some("fu-1"));
    assert_eq!(req.context.source_ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(req.path, "/release/orders", "no stage is taken off a function URL's path");
    assert_eq!(req.context.stage, None);

    // Seen captured from a function URL: a `requestContext` holding only the caller.
    let captured = json!({
        "body": "", "httpMethod": "GET", "path": "/", "queryString": {},
        "headers": {"x-scf-request-id": "fu-2"}, "requestContext": {"sourceIp": "198.51.100.7"},
        "headerParameters": {}, "pathParameters": {}, "queryStringParameters": {}, "isBase64Encoded": false
    });
    let req = request(&captured);
    assert_eq!(req.context.front_door, Some(FrontDoor::FunctionUrl));
    assert_eq!(req.context.request_id.as_deref(), Some("fu-2"));
    assert_eq!(req.context.source_ip.as_deref(), Some("198.51.100.7"));
}

#[test]
fn an_api_gateway_event_says_so_and_ignores_function_url_headers() {
    let event = json!({
        "requestContext": {"serviceId": "service-1", "requestId": "gw-1", "sourceIp": "10.0.0.1", "stage": "release"},
        "headers": {"x-scf-request-id": "not-this", "x-scf-remote-addr": "not-this"},
        "path": "/", "httpMethod": "GET"
    });
    let req = request(&event);
    assert_eq!(req.context.front_door, Some(FrontDoor::ApiGateway));
    assert_eq!(req.context.request_id.as_deref(), Some("gw-1"));
    assert_eq!(req.context.source_ip.as_deref(), Some("10.0.0.1"));
    let aliyun = json!({"path": "/", "httpMethod": "GET", "queryParameters": {}});
    assert_eq!(request(&aliyun).context.front_door, Some(FrontDoor::ApiGateway));
}

#[test]
fn the_function_url_event_written_for_a_request_reads_back_the_same() {
    let event = json!({
        "body": "hi", "httpMethod": "PUT", "path": "/a/b",
        "headers": {"x-scf-request-id": "fu-3", "x-scf-remote-addr": "192.0.2.1", "accept": "*/*"},
        "queryString": {"q": "1"}
    });
    let req = request(&event);
    let written = serde_json::to_value(req.to_function_url_event()).unwrap();
    assert_eq!(written, event, "exactly the documented fields");
    assert_eq!(request(&written), req);

    // A body JSON cannot carry as a string travels as base64, flagged.
    let binary = Request { body: vec![0xff, 0x00].into(), method: "POST".into(), path: "/".into(), ..req };
    let written = serde_json::to_value(binary.to_function_url_event()).unwrap();
    assert_eq!((&written["body"], &written["isBase64Encoded"]), (&json!("/wA="), &json!(true)));
    assert_eq!(request(&written).body.as_bytes(), [0xff, 0x00]);
}

#[test]
fn an_integration_response_keeps_fields_it_does_not_know() {
    let sent = json!({
        "isBase64Encoded": false, "statusCode": 200, "headers": {"Set-Cookie": ["a=1", "b=2"]},
        "body": "ok", "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "x-framework": {"name": "koa"}
    });
    let res = IntegrationResponse::from_slice(&serde_json::to_vec(&sent).unwrap()).unwrap();
    assert_eq!(res.extra["x-framework"]["name"], "koa");
    assert_eq!(serde_json::to_value(&res).unwrap(), sent, "nothing lost in a round trip");
    // The gateway reads only what it knows.
    assert_eq!(res.into_http().unwrap().headers().get_all("set-cookie").iter().count(), 2);
}
