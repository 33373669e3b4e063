// The #[handler] sits in a module so the generated `main` is compiled but not run.
// Extractors after the event, in any order with the context.

mod function {
    use apigw_runtime::extract::{Path, Query};
    use apigw_runtime::{Context, HttpError, Json, Request};

    #[derive(serde::Deserialize)]
    pub struct Order {
        item: String,
    }

    #[derive(serde::Deserialize)]
    pub struct Shop {
        shop: String,
    }

    #[derive(serde::Deserialize)]
    pub struct Paging {
        page: Option<u32>,
    }

    #[derive(serde::Serialize)]
    pub struct Created {
        shop: String,
        item: String,
        page: u32,
        request_id: String,
    }

    #[apigw_runtime::handler]
    pub async fn create(
        _req: Request,
        Path(at): Path<Shop>,
        ctx: Context,
        Query(paging): Query<Paging>,
        Json(order): Json<Order>,
    ) -> Result<Json<Created>, HttpError> {
        Ok(Json(Created { shop: at.shop, item: order.item, page: paging.page.unwrap_or(1), request_id: ctx.request_id }))
    }
}

fn main() {}
