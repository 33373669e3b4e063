use apigw_runtime::{Context, Request};

#[apigw_runtime::handler]
async fn hello(_r: Request, _c: Context, state: &String) -> Result<String, std::io::Error> {
    Ok(state.clone())
}
