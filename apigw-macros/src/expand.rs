//! parse → validate → expand. On any error the author's item is emitted
//! unchanged beside the error (with a stub `main`), so the rest of the crate
//! and the IDE keep working.

use crate::args::{Args, Mode};
use proc_macro2::{Delimiter, Group};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, PathArguments, ReturnType, Type};

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
    let func: Loose = syn::parse2(item.clone()).map_err(|e| {
        syn::Error::new(e.span(), "#[handler] goes on an `async fn`, e.g. `async fn hello(req: Request) -> Result<impl IntoResponse, Error>`")
    })?;
    let sig = validate(&func.sig, &options)?;
    Ok(generate(item, &func.sig, &options, &sig))
}

/// An fn whose body is kept as tokens: a mistake inside the body is
/// reported by the compiler where it is, not by the macro as a wrong item.
struct Loose {
    sig: syn::Signature,
}

impl Parse for Loose {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Visibility>()?;
        let sig: syn::Signature = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the fn's body"));
        }
        Ok(Loose { sig })
    }
}

/// What the signature says, once it has been checked.
struct Signature {
    /// The arguments the runtime provides, in order.
    args: Vec<Type>,
    /// With `init`: the state the last argument borrows.
    state: Option<Type>,
}

/// How many arguments the runtime provides; the state comes on top.
const MAX_ARGS: usize = 6;

fn validate(sig: &syn::Signature, options: &Args) -> syn::Result<Signature> {
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
            FnArg::Typed(t) if matches!(*t.ty, Type::ImplTrait(_)) => {
                return Err(syn::Error::new(
                    t.ty.span(),
                    "the #[handler] fn cannot be generic: name the argument's type",
                ));
            }
            FnArg::Typed(t) => types.push((*t.ty).clone()),
        }
    }
    let state = match (&options.init, types.last()) {
        (Some(_), Some(Type::Reference(r))) if r.mutability.is_none() => {
            let state = (*r.elem).clone();
            types.pop();
            Some(state)
        }
        (Some(_), Some(Type::Reference(r))) => {
            return Err(syn::Error::new(r.span(), "the state argument is borrowed: write it as `&S`"));
        }
        (Some(init), _) => {
            return Err(syn::Error::new(
                init.span(),
                "`init` builds state the handler borrows: add a last argument `state: &S` to the fn",
            ));
        }
        (None, _) => None,
    };
    if let Some(Type::Reference(r)) = types.iter().find(|t| matches!(t, Type::Reference(_))) {
        let owned = r.elem.to_token_stream().to_string().replace(" :: ", "::");
        let message = if options.init.is_some() {
            format!(
                "the #[handler] fn takes its arguments by value: write `{owned}`; only the last argument, the state, is borrowed"
            )
        } else {
            format!(
                "the #[handler] fn takes its arguments by value: write `{owned}` (a borrowed last argument is the state built by `init = path::to::init_fn`)"
            )
        };
        return Err(syn::Error::new(r.and_token.span, message));
    }
    if types.len() > MAX_ARGS {
        let extra = &sig.inputs[MAX_ARGS];
        return Err(syn::Error::new(
            extra.span(),
            format!(
                "the #[handler] fn takes at most {MAX_ARGS} arguments (the event, the `Context`, extractors), and with `init` the state"
            ),
        ));
    }
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
    Ok(Signature { args: types, state })
}

fn generate(item: TokenStream, func: &syn::Signature, options: &Args, sig: &Signature) -> TokenStream {
    let krate = options.krate.as_ref().map_or_else(|| quote!(::apigw_runtime), |p| p.to_token_stream());
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
    let built = built(&krate, func, options, sig);
    let start = match &options.init {
        Some(init) => quote! {
            |config| #krate::Runtime::new(config).run_with_init(#init, |state| #built)
        },
        None => quote!(|config| #krate::run_with(config, #built)),
    };
    quote! {
        #item

        fn main() -> ::std::process::ExitCode {
            #krate::__private::main(
                #krate::__private::Options { timeout: #timeout, provider: #provider, tracing: #tracing },
                #start,
            )
        }
    }
}

/// The app, built from the fn with each argument, the value and the error
/// checked at the author's own tokens: a wrong type is reported once,
/// there, and the builder itself asks nothing more of it.
fn built(krate: &TokenStream, func: &syn::Signature, options: &Args, sig: &Signature) -> TokenStream {
    let name = &func.ident;
    let checks = sig.args.iter().enumerate().map(|(i, ty)| {
        let check = syn::Ident::new(if i == 0 { "first" } else { "arg" }, ty.span());
        let krate = respan(krate, ty.span());
        quote_spanned!(ty.span()=> #krate::__private::#check())
    });
    let (ok_span, err_span) = match &func.output {
        ReturnType::Type(_, ty) => match result_args(ty) {
            Some((ok, Some(err))) => (ok.span(), err.span()),
            Some((ok, None)) => (ok.span(), ty.span()),
            None => (ty.span(), ty.span()),
        },
        ReturnType::Default => (func.paren_token.span.close(), func.paren_token.span.close()),
    };
    let answer = {
        let krate = respan(krate, ok_span);
        match options.mode() {
            Mode::Integration => quote_spanned!(ok_span=> #krate::__private::response()),
            Mode::Passthrough => quote_spanned!(ok_span=> #krate::__private::passthrough_value()),
        }
    };
    let fault = {
        let krate = respan(krate, err_span);
        quote_spanned!(err_span=> #krate::__private::error())
    };
    let build = syn::Ident::new(&format!("app{}", sig.args.len()), Span::call_site());
    let handler = match &sig.state {
        Some(_) => {
            let names: Vec<_> = (0..sig.args.len())
                .map(|i| syn::Ident::new(&format!("__arg{i}"), Span::call_site()))
                .collect();
            let types = &sig.args;
            quote!(move |#(#names: #types),*| #name(#(#names,)* state))
        }
        None => quote!(#name),
    };
    quote!(#krate::__private::#build(#handler, #(#checks,)* #answer, #fault))
}

/// The same tokens, all at `span`: a path the compiler reports an
/// obligation at by its first token must start at the author's type.
fn respan(tokens: &TokenStream, span: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(g) = &tree {
                let mut group = Group::new(g.delimiter(), respan(&g.stream(), span));
                group.set_span(span);
                tree = proc_macro2::TokenTree::Group(group);
            }
            tree.set_span(span);
            tree
        })
        .collect()
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
