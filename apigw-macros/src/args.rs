//! The attribute's options: parsed, checked for unknowns and repeats, each
//! error spanned at the offending token.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{LitBool, LitStr, Path};

pub(crate) const OPTIONS: &str = "`mode`, `timeout`, `init`, `provider`, `tracing`, `crate`";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Integration,
    Passthrough,
}

#[derive(Default)]
pub(crate) struct Args {
    pub(crate) mode: Option<(Mode, Span)>,
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) init: Option<Path>,
    /// `None` for `auto`; otherwise the `Provider` variant's name.
    pub(crate) provider: Option<&'static str>,
    pub(crate) tracing: Option<bool>,
    pub(crate) krate: Option<Path>,
    seen: Vec<String>,
}

impl Args {
    pub(crate) fn mode(&self) -> Mode {
        self.mode.map_or(Mode::Integration, |(m, _)| m)
    }

    pub(crate) fn parse(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        let name = meta.path.get_ident().map(ToString::to_string).unwrap_or_else(|| {
            meta.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::")
        });
        let known = ["mode", "timeout", "init", "provider", "tracing", "crate"];
        if !known.contains(&name.as_str()) {
            return Err(meta.error(format!("unknown #[handler] option `{name}`; the options are {OPTIONS}")));
        }
        if self.seen.contains(&name) {
            return Err(meta.error(format!("`{name}` is given more than once")));
        }
        self.seen.push(name.clone());
        match name.as_str() {
            "mode" => {
                let lit: LitStr = meta.value()?.parse()?;
                let mode = match lit.value().as_str() {
                    "integration" => Mode::Integration,
                    "passthrough" => Mode::Passthrough,
                    other => {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!("unknown mode `{other}`; expected \"integration\" or \"passthrough\""),
                        ));
                    }
                };
                self.mode = Some((mode, lit.span()));
            }
            "timeout" => {
                let lit: LitStr = meta.value()?.parse()?;
                let ms = parse_duration_ms(&lit.value()).ok_or_else(|| {
                    syn::Error::new(
                        lit.span(),
                        format!(
                            "cannot read `{}` as a timeout; write a number with a unit: \"500ms\", \"10s\", \"2m\"",
                            lit.value()
                        ),
                    )
                })?;
                self.timeout_ms = Some(ms);
            }
            "init" => self.init = Some(meta.value()?.parse()?),
            "provider" => {
                let lit: LitStr = meta.value()?.parse()?;
                self.provider = match lit.value().as_str() {
                    "auto" => None,
                    "tencent" => Some("Tencent"),
                    "aliyun" => Some("Aliyun"),
                    "web" => Some("Web"),
                    other => {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!(
                                "unknown provider `{other}`; expected \"tencent\", \"aliyun\", \"web\" or \"auto\""
                            ),
                        ));
                    }
                };
            }
            "tracing" => self.tracing = Some(meta.value()?.parse::<LitBool>()?.value),
            "crate" => {
                let lit: LitStr = meta.value()?.parse()?;
                self.krate =
                    Some(lit.parse().map_err(|_| {
                        syn::Error::new(lit.span(), format!("`{}` is not a path", lit.value()))
                    })?);
            }
            _ => return Err(syn::Error::new(meta.path.span(), "unreachable option")),
        }
        Ok(())
    }
}

/// `"500ms"`, `"10s"`, `"1.5s"`, `"2m"` → milliseconds. Zero is refused.
pub(crate) fn parse_duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        return None;
    };
    let number = number.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let ms = number.parse::<f64>().ok()? * scale;
    (ms >= 1.0 && ms <= u64::MAX as f64).then_some(ms.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_duration_ms;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("10s"), Some(10_000));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("2m"), Some(120_000));
        for bad in ["", "10", "s", "-1s", "0s", "ten s", "1h", "1e3ms"] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
    }
}
