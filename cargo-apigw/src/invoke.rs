//! `cargo apigw invoke`: one request through the simulated gateway.

use crate::cli::InvokeArgs;
use crate::{request, setup};
use anyhow::Context;
use bytes::Bytes;
use std::process::ExitCode;

pub(crate) async fn run(args: InvokeArgs) -> anyhow::Result<ExitCode> {
    let config = setup::config(args.function.config.as_deref(), &args.overrides)?;
    let function = if setup::needs_function(&config) || args.event.is_some() {
        let exe = setup::build(&setup::target(&args.function, &config))?;
        Some(setup::function(exe, &config))
    } else {
        None
    };
    let gateway = apigw_gateway::Gateway::new(config, function.clone());
    let res = match (&args.event, &function) {
        (Some(file), Some(function)) => {
            let event = std::fs::read(file).with_context(|| format!("reading --event {}", file.display()))?;
            let route = gateway.config().routes.first().context("the configuration has no route")?;
            let id = apigw_gateway::gateway::new_request_id();
            let outcome = function.invoke(Bytes::from(event), &id, route.function_timeout).await;
            apigw_gateway::respond::outcome(route.flavour, route.mode, outcome, &id)
        }
        _ => {
            let req = request::build(&args.request)?;
            gateway.handle(req, std::net::Ipv4Addr::LOCALHOST.into()).await
        }
    };
    if let Some(function) = &function {
        function.stop().await;
    }
    request::print(&res).context("writing the response")?;
    Ok(if args.fail && res.status().as_u16() >= 400 { ExitCode::from(22) } else { ExitCode::SUCCESS })
}
