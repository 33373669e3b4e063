#[apigw_runtime::handler]
async fn hello(_r: apigw_runtime::Request) -> String {
    String::new()
}
