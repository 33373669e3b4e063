#[apigw_runtime::handler]
struct Hello;
