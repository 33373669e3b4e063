#[derive(Debug)]
struct Oops;

#[apigw_runtime::handler]
async fn hello(_r: apigw_runtime::Request) -> Result<String, Oops> {
    Ok(String::new())
}
