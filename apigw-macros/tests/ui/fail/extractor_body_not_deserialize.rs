use apigw_runtime::Json;

struct Order;

#[apigw_runtime::handler]
async fn create(Json(_order): Json<Order>) -> Result<String, std::io::Error> {
    Ok(String::new())
}
