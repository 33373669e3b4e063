//! parse → validate → expand. On any error the author's item is emitted
//! unchanged beside the error (with a stub `main`), so the rest of the crate
//! and the IDE keep working.

use crate::args::{Args, Mode};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, PathArguments, ReturnType, Type};

pub(crate) fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item.clone()) {
        Ok(tokens) => tokens,
        Err(err) => {
            let err = err.into_compile_error();
            // A stub `main` keeps "main function not found" from burying the real error.
            quote! { #item #err fn main() {} }
        }
    }
}

fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut options = Args::default();
    let parser = syn::meta::parser(|meta| options.parse(meta));
    syn::parse::Parser::parse2(parser, args)?;
    let func: ItemFn = syn::parse2(item).map_err(|e| {
        syn::Error::new(e.span(), "#[handler] goes on an `async fn`, e.g. `async fn hello(req: Request) -> Result<impl IntoResponse, Error>`")
    })?;
    let sig = validate(&func, &options)?;
    Ok(generate(&func, &options, &sig))
}

/// What the signature says, once it has been checked.
struct Signature {
    event: Type,
    context: Option<Type>,
    state: Option<Type>,
}

fn validate(func: &ItemFn, options: &Args) -> syn::Result<Signature> {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(sig.fn_token.span, "the #[handler] fn must be `async`"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "the #[handler] fn cannot be generic: the runtime needs one concrete event type",
        ));
    }
    if sig.ident == "main" {
        return Err(syn::Error::new(
            sig.ident.span(),
            "the #[handler] fn cannot be named `main`: #[handler] generates `main`",
        ));
    }
    let mut types = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                return Err(syn::Error::new(r.span(), "the #[handler] fn cannot take `self`"));
            }
            FnArg::Typed(t) => types.push((*t.ty).clone()),
        }
    }
    match types.len() {
        0 => {
            return Err(syn::Error::new(
                sig.paren_token.span.join(),
                "the #[handler] fn takes the event: `(event: E)`, `(event: E, ctx: Context)`, or with `init`, `(event: E, ctx: Context, state: &S)`",
            ));
        }
        1..=3 => {}
        _ => {
            return Err(syn::Error::new(
                sig.inputs[3].span(),
                "the #[handler] fn takes at most three arguments: the event, the `Context`, and with `init` the state",
            ));
        }
    }
    let state = match (types.get(2), &options.init) {
        (Some(ty), None) => {
            return Err(syn::Error::new(
                ty.span(),
                "a third argument is the state built by init: add `init = path::to::init_fn` to #[handler]",
            ));
        }
        (Some(Type::Reference(r)), Some(_)) if r.mutability.is_none() => Some((*r.elem).clone()),
        (Some(ty), Some(_)) => {
            return Err(syn::Error::new(ty.span(), "the state argument is borrowed: write it as `&S`"));
        }
        (None, Some(init)) => {
            return Err(syn::Error::new(
                init.span(),
                "`init` builds state the handler borrows: add a third argument `state: &S` to the fn",
            ));
        }
        (None, None) => None,
    };
    match &sig.output {
        ReturnType::Default => {
            return Err(syn::Error::new(
                sig.paren_token.span.close(),
                "the #[handler] fn must return `Result<R, E>`: add `-> Result<impl IntoResponse, Error>`",
            ));
        }
        ReturnType::Type(_, ty) if result_args(ty).is_none() => {
            return Err(syn::Error::new(
                ty.span(),
                "the #[handler] fn must return `Result<R, E>` (or an alias named `Result`, such as `anyhow::Result<R>`)",
            ));
        }
        ReturnType::Type(..) => {}
    }
    Ok(Signature { event: types[0].clone(), context: types.get(1).cloned(), state })
}

fn generate(func: &ItemFn, options: &Args, sig: &Signature) -> TokenStream {
    let krate = options.krate.as_ref().map_or_else(|| quote!(::apigw_runtime), |p| p.to_token_stream());
    let name = &func.sig.ident;
    let event = &sig.event;
    let timeout = match options.timeout_ms {
        Some(ms) => quote!(::core::option::Option::Some(#krate::__private::Duration::from_millis(#ms))),
        None => quote!(::core::option::Option::None),
    };
    let provider = match options.provider {
        Some(p) => {
            let variant = syn::Ident::new(p, Span::call_site());
            quote!(::core::option::Option::Some(#krate::Provider::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    let tracing = options.tracing.unwrap_or(true);
    let wrap = |handler: TokenStream| match options.mode() {
        Mode::Integration => handler,
        Mode::Passthrough => quote!(#krate::passthrough(#handler)),
    };
    let start = match (&options.init, &sig.state) {
        (Some(init), Some(_)) => {
            let call = wrap(quote! {
                move |event: #event, ctx: #krate::Context| #name(event, ctx, state)
            });
            quote! {
                |config| #krate::Runtime::new(config).run_with_init(#init, |state| #call)
            }
        }
        _ => {
            let handler = wrap(quote!(#name));
            quote!(|config| #krate::run_with(config, #handler))
        }
    };
    let checks = checks(&krate, func, options, sig);
    quote! {
        #func

        fn main() -> ::std::process::ExitCode {
            #krate::__private::main(
                #krate::__private::Options { timeout: #timeout, provider: #provider, tracing: #tracing },
                #start,
            )
        }

        #checks
    }
}

/// Type checks at the author's own tokens, so a wrong event, response or
/// context type is reported there and not inside generated code.
fn checks(krate: &TokenStream, func: &ItemFn, options: &Args, sig: &Signature) -> TokenStream {
    let mut out = TokenStream::new();
    let event = &sig.event;
    if !is_http_request(event) {
        out.extend(quote_spanned!(event.span()=> #krate::__private::assert_event::<#event>();));
    }
    if let Some(ctx) = &sig.context {
        out.extend(quote_spanned!(ctx.span()=> let _: fn(#krate::Context) -> #ctx = |ctx| ctx;));
    }
    if let ReturnType::Type(_, ty) = &func.sig.output
        && let Some((ok, err)) = result_args(ty)
    {
        if !matches!(ok, Type::ImplTrait(_)) {
            out.extend(match options.mode() {
                Mode::Integration => {
                    quote_spanned!(ok.span()=> #krate::__private::assert_response::<#ok>();)
                }
                Mode::Passthrough => {
                    quote_spanned!(ok.span()=> #krate::__private::assert_passthrough::<#ok>();)
                }
            });
        }
        if let Some(err) = err.filter(|e| !matches!(e, Type::ImplTrait(_))) {
            out.extend(quote_spanned!(err.span()=> #krate::__private::assert_error::<#err>();));
        }
    }
    quote! {
        #[allow(dead_code, clippy::all)]
        const _: fn() = || { #out };
    }
}

/// `http::Request<…>` (or a bare `Request<…>` with a type argument): the one
/// event type that is not read with serde.
fn is_http_request(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else { return false };
    last.ident == "Request" && matches!(last.arguments, PathArguments::AngleBracketed(_))
}

/// `Result<T, E>` → `(T, Some(E))`; `Result<T>` (an alias such as
/// `anyhow::Result`) → `(T, None)`; anything else → `None`.
fn result_args(ty: &Type) -> Option<(&Type, Option<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let ok = types.next()?;
    Some((ok, types.next()))
}
