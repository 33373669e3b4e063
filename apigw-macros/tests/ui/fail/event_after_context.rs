use apigw_runtime::{Context, Request};

#[apigw_runtime::handler]
async fn hello(_ctx: Context, req: Request) -> Result<String, std::io::Error> {
    Ok(req.path)
}
