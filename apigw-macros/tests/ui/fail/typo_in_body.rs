use apigw_runtime::Request;

#[apigw_runtime::handler]
async fn hello(req: Request) -> Result<String, std::io::Error> {
    let path = req.path
    Ok(path)
}
