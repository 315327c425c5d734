//! `authorization`: what API calls carry.

use super::template::Place;
use super::{At, Context, is_header_name};
use crate::model::*;
use crate::parse::spec;

impl Context<'_> {
    pub(super) fn authorization(&mut self, auth: &spec::Authorization) -> Authorization {
        let headers = self.entries(
            &["authorization", "headers"],
            &auth.headers,
            Place::Authorization,
        );
        for (name, template) in &headers {
            if !is_header_name(name) {
                self.error(
                    &["authorization", "headers", name],
                    At::Key,
                    format!("`{name}` is not a valid HTTP header name"),
                    "use letters, digits and `-`, e.g. `Authorization`",
                );
            }
            self.check_header_text(
                &["authorization", "headers", name],
                template,
                "",
                "a header",
            );
        }
        let query = self.entries(
            &["authorization", "query"],
            &auth.query,
            Place::Authorization,
        );
        let cookies = self.entries(
            &["authorization", "cookies"],
            &auth.cookies,
            Place::Authorization,
        );
        for (name, template) in &cookies {
            // `;` would end the cookie and start another.
            self.check_header_text(
                &["authorization", "cookies", name],
                template,
                ";",
                "a cookie",
            );
            if name.is_empty() || name.contains(['=', ';', ' ', ',']) {
                self.error(
                    &["authorization", "cookies", name],
                    At::Key,
                    format!("`{name}` is not a cookie name"),
                    "use the cookie's name as the vendor sets it",
                );
            }
        }
        let places = [
            ("headers", &headers),
            ("query", &query),
            ("cookies", &cookies),
        ];
        for (section, entries) in places {
            for (name, template) in entries {
                self.check_no_signing_per_call(&["authorization", section, name], template);
            }
        }
        let mut out = Authorization {
            headers,
            query,
            cookies,
        };
        // An empty section means the most common attachment, as OAuth 2.0
        // bearer tokens (RFC 6750 section 2.1) are sent.
        if out.headers.is_empty() && out.query.is_empty() && out.cookies.is_empty() {
            out.headers.push((
                "Authorization".to_owned(),
                Template(vec![
                    Part::Text("Bearer ".to_owned()),
                    Part::Ref(Ref::Token(TokenField::AccessToken), Vec::new()),
                ]),
            ));
        }
        out
    }
}
