use apigw_runtime::{Context, Request};

async fn init() -> Result<u8, std::io::Error> {
    Ok(1)
}

#[apigw_runtime::handler(init = init)]
async fn hello(_r: Request, _s: &u8, ctx: Context) -> Result<String, std::io::Error> {
    Ok(ctx.request_id)
}
