// The #[handler] sits in a module so the generated `main` is compiled but not run.

mod function {
    use apigw_runtime::{Context, IntegrationResponse, events::tencent::ApiGatewayEvent};

    #[apigw_runtime::handler(timeout = "1.5s", provider = "tencent", tracing = false)]
    async fn typed(event: ApiGatewayEvent, ctx: Context) -> Result<IntegrationResponse, anyhow::Error> {
        Ok(IntegrationResponse::text(format!("{} {}", event.path, ctx.request_id)))
    }
}

fn main() {}
