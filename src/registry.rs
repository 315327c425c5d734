//! Vendors picked by name at run time, for tools such as the `vendor-auth`
//! command: each generated module describes itself as a [`Vendor`], and the
//! crate lists them all in [`VENDORS`](crate::VENDORS).

use std::future::Future;
use std::pin::Pin;

use secrecy::SecretString;

use crate::{Error, Token, TokenClient, Url};

/// A boxed token fetch, so that every vendor fits one function type.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<Token, Error>> + Send>>;

/// A generated vendor, described for tools.
///
/// ```
/// let verbio = vendor_auth::VENDORS.iter().find(|v| v.module == "verbio").unwrap();
/// let names: Vec<&str> = verbio.env_vars.iter().map(|v| v.name).collect();
/// assert_eq!(names, ["VERBIO_CLIENT_ID", "VERBIO_CLIENT_SECRET"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Vendor {
    /// The Rust module, e.g. `verbio`; tools take this as the vendor's name.
    pub module: &'static str,
    /// The vendor's human name.
    pub name: &'static str,
    /// The spec's environments, by the names the spec gives them.
    pub environments: &'static [EnvironmentInfo],
    /// The environment used when none is named.
    pub default_environment: Option<&'static str>,
    /// The environment variables [`Vendor::fetch_token_from_env`] reads.
    pub env_vars: &'static [EnvVar],
    /// Builds the vendor's client from environment variables and fetches a
    /// token.
    pub fetch_token: fn(Selection) -> TokenFuture,
}

impl Vendor {
    /// Reads credentials and settings from the environment variables listed
    /// in [`Vendor::env_vars`], calls the vendor and returns the normalized
    /// token.
    pub fn fetch_token_from_env(&self, selection: Selection) -> TokenFuture {
        (self.fetch_token)(selection)
    }
}

/// One environment of a vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvironmentInfo {
    /// Its name in the spec, e.g. `production`.
    pub name: &'static str,
    /// Whether the user must give its base URL.
    pub user_supplied: bool,
}

/// An environment variable a vendor's settings are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVar {
    /// e.g. `VERBIO_CLIENT_SECRET`.
    pub name: &'static str,
    /// What it holds, from the spec.
    pub description: Option<&'static str>,
    /// A credential (never printed) rather than a setting.
    pub secret: bool,
}

/// Which environment to call, as a user names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// An environment name from the spec; `None` for the default.
    pub environment: Option<String>,
    /// A base URL: for a user-supplied environment, or, with no environment
    /// named, any other server (a proxy or a local stand-in).
    pub base_url: Option<String>,
}

/// What a [`Selection`] resolved to, for the generated code to map onto its
/// `Environment` enum.
#[doc(hidden)]
#[derive(Debug)]
pub enum Chosen {
    /// The environment at this index of [`Vendor::environments`], with its
    /// base URL when the user supplies it.
    Named(usize, Option<Url>),
    /// Any other base URL.
    Custom(Url),
}

impl Chosen {
    /// A choice the generated code has no variant for (a bug, reported as a
    /// configuration error rather than a panic).
    #[doc(hidden)]
    pub fn unexpected(self, vendor: &'static str) -> Error {
        Error::Config {
            vendor,
            message: format!("internal error: no environment for {self:?}"),
        }
    }
}

impl Selection {
    #[doc(hidden)]
    pub fn resolve(&self, vendor: &Vendor) -> Result<Chosen, Error> {
        let config_error = |message: String| Error::Config {
            vendor: vendor.name,
            message,
        };
        let url = |text: &str| {
            Url::parse(text).map_err(|e| config_error(format!("`{text}` is not a URL: {e}")))
        };
        let names = || {
            vendor
                .environments
                .iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let name = match (&self.environment, &self.base_url) {
            (None, Some(base_url)) => return Ok(Chosen::Custom(url(base_url)?)),
            (Some(name), _) => name.as_str(),
            (None, None) => vendor.default_environment.ok_or_else(|| {
                config_error(format!("no default environment; name one of: {}", names()))
            })?,
        };
        let index = vendor
            .environments
            .iter()
            .position(|e| e.name == name)
            .ok_or_else(|| {
                config_error(format!(
                    "`{name}` is not an environment; use one of: {}",
                    names()
                ))
            })?;
        let supplied = match (vendor.environments[index].user_supplied, &self.base_url) {
            (true, Some(base_url)) => Some(url(base_url)?),
            (true, None) => {
                return Err(config_error(format!(
                    "environment `{name}` needs its base URL from you"
                )));
            }
            (false, Some(_)) => {
                return Err(config_error(format!(
                    "environment `{name}` has its own base URL; give a URL without an environment to call another server"
                )));
            }
            (false, None) => None,
        };
        Ok(Chosen::Named(index, supplied))
    }
}

/// Where a client's credentials and settings are read from, by name
/// (`VERBIO_CLIENT_ID`): the process environment ([`ProcessEnv`]), a map,
/// or a test's mock vendor.
pub trait Settings: Send + Sync {
    /// The value stored under `name`, if any.
    fn get(&self, name: &str) -> Option<String>;

    /// What a name is called in errors, e.g. "environment variable".
    fn kind(&self) -> &'static str {
        "setting"
    }
}

/// The process environment, as [`FromEnv::from_env`] reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Settings for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn kind(&self) -> &'static str {
        "environment variable"
    }
}

impl<S: std::hash::BuildHasher + Send + Sync> Settings
    for std::collections::HashMap<String, String, S>
{
    fn get(&self, name: &str) -> Option<String> {
        std::collections::HashMap::get(self, name).cloned()
    }
}

impl Settings for std::collections::BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        std::collections::BTreeMap::get(self, name).cloned()
    }
}

/// A client that can be built from named settings, as every generated
/// client can: credentials and URL-template variables are read from
/// `<MODULE>_<KEY>` (e.g. `VERBIO_CLIENT_ID`), listed in the vendor's
/// [`Vendor::env_vars`], in the environment or in any other [`Settings`].
///
/// ```no_run
/// use vendor_auth::{FromEnv, Selection, TokenClient, verbio};
///
/// # async fn run() -> Result<(), vendor_auth::Error> {
/// let client = verbio::Client::from_env(&Selection::default())?;
/// let token = client.fetch_token().await?;
/// # let _ = token; Ok(()) }
/// ```
pub trait FromEnv: TokenClient + Sized {
    /// The client for `selection` (an environment of the spec, its default,
    /// or another base URL), with its settings read from `settings`.
    fn from_settings(selection: &Selection, settings: &dyn Settings) -> Result<Self, Error>;

    /// The client for `selection`, with its settings from the environment.
    fn from_env(selection: &Selection) -> Result<Self, Error> {
        Self::from_settings(selection, &ProcessEnv)
    }
}

/// Builds `C` from the environment and fetches a token: the one async
/// function every [`Vendor::fetch_token`] shares (generic, so a vendor adds
/// no async code of its own for it).
#[doc(hidden)]
pub fn fetch_token_from_env<C>(selection: Selection) -> TokenFuture
where
    C: FromEnv + Send + Sync + 'static,
{
    Box::pin(async move {
        let client = C::from_env(&selection)?;
        client.fetch_token().await
    })
}

fn missing(vendor: &'static str, settings: &dyn Settings, name: &str) -> Error {
    Error::Config {
        vendor,
        message: format!("set the {} {name}", settings.kind()),
    }
}

/// Reads a setting; the error names the variable, never a value.
#[doc(hidden)]
pub fn env_var(vendor: &'static str, settings: &dyn Settings, name: &str) -> Result<String, Error> {
    settings
        .get(name)
        .ok_or_else(|| missing(vendor, settings, name))
}

/// Reads a credential as a secret: from `NAME`, or else from the file that
/// `NAME_FILE` names (a PEM key, a JSON key file, a mounted secret), read
/// as it is.
#[doc(hidden)]
pub fn env_secret(
    vendor: &'static str,
    settings: &dyn Settings,
    name: &str,
) -> Result<SecretString, Error> {
    if let Some(value) = settings.get(name) {
        return Ok(SecretString::from(value));
    }
    let file_variable = format!("{name}_FILE");
    let Some(path) = settings.get(&file_variable) else {
        return Err(Error::Config {
            vendor,
            message: format!(
                "set the {kind} {name} (or {file_variable} to a file that holds it)",
                kind = settings.kind()
            ),
        });
    };
    std::fs::read_to_string(&path)
        .map(SecretString::from)
        .map_err(|e| Error::Config {
            vendor,
            message: format!(
                "{file_variable} names {}, which cannot be read as text: {}",
                std::path::Path::new(&path).display(),
                e.kind()
            ),
        })
}

/// Reads an optional setting of any type; `None` when unset.
#[doc(hidden)]
pub fn env_optional<T: std::str::FromStr>(
    vendor: &'static str,
    settings: &dyn Settings,
    name: &str,
) -> Result<Option<T>, Error> {
    match settings.get(name) {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| Error::Config {
            vendor,
            message: format!("the {} {name} does not hold a valid value", settings.kind()),
        }),
    }
}

/// Reads a required setting of any type.
#[doc(hidden)]
pub fn env_required<T: std::str::FromStr>(
    vendor: &'static str,
    settings: &dyn Settings,
    name: &str,
) -> Result<T, Error> {
    env_optional(vendor, settings, name)?.ok_or_else(|| missing(vendor, settings, name))
}
