use apigw_runtime::Request;

#[apigw_runtime::handler]
async fn hello(req: &Request) -> Result<String, std::io::Error> {
    Ok(req.path.clone())
}
