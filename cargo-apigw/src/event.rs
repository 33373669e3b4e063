//! `cargo apigw event`: the event the gateway would send, for fixtures and tests.

use crate::cli::EventArgs;
use crate::{request, setup};
use anyhow::{Context, bail};
use std::process::ExitCode;

pub(crate) async fn run(args: EventArgs) -> anyhow::Result<ExitCode> {
    let config = setup::config(args.config.as_deref(), &args.overrides)?;
    let gateway = apigw_gateway::Gateway::new(config, None);
    let (parts, body) = request::build(&args.request)?.into_parts();
    let matched =
        match gateway.route(&parts, std::net::Ipv4Addr::LOCALHOST.into(), std::time::SystemTime::now()) {
            Ok(m) => m,
            Err(res) => {
                request::print(&res)?;
                bail!("the gateway answered {} before reaching the function", res.status());
            }
        };
    let event = gateway.event_for(&matched, &parts, &body).context("the matched route is gone")?;
    let value: serde_json::Value = serde_json::from_slice(&event)?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(ExitCode::SUCCESS)
}
