use apigw_runtime::{IntoResponse, Request};

#[apigw_runtime::handler]
async fn hello(req: Request) -> Result<impl IntoResponse, std::io::Error> {
    let n: u32 = req.path;
    Ok(n.to_string())
}
