// The #[handler] sits in a module so the generated `main` is compiled but not run.
// Without the event: the context first, then an extractor; passthrough
// mode takes extractors too.

mod function {
    use apigw_runtime::{Context, Json};

    #[derive(serde::Deserialize)]
    pub struct Order {
        item: String,
    }

    #[derive(serde::Serialize)]
    pub struct Seen {
        request_id: String,
        item: String,
    }

    #[apigw_runtime::handler(mode = "passthrough")]
    pub async fn seen(ctx: Context, Json(order): Json<Order>) -> Result<Seen, std::io::Error> {
        Ok(Seen { request_id: ctx.request_id, item: order.item })
    }
}

fn main() {}
