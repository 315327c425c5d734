//! `operations.*.steps`: the exchanges a chained operation makes first.

use super::template::Place;
use super::{At, Context};
use crate::model::*;
use crate::parse::spec;

impl Context<'_> {
    /// Validates the steps in order; each sees the outputs of those before
    /// it, and the operation's own request sees them all.
    pub(super) fn steps(&mut self, kind: OperationKind, steps: &[spec::Step]) -> Vec<Step> {
        self.step_outputs.clear();
        let op = kind.name();
        let place = self.place_of(kind);
        let mut out = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let index_text = index.to_string();
            let base = ["operations", op, "steps", index_text.as_str()];
            let at =
                |key: &'static str| -> Vec<&str> { base.iter().copied().chain([key]).collect() };
            if !super::is_snake_identifier(&step.name)
                || self.step_outputs.iter().any(|(name, _)| name == &step.name)
            {
                self.error(
                    &at("name"),
                    At::Value,
                    format!("`{}` cannot name a step", step.name),
                    "use a unique lower snake_case name, e.g. `login`",
                );
            }
            let method = self.method(&at("method"), &step.method);
            let path = self.path(&at("path"), &step.path);
            let success = self.success(&at("success_status"), step.success_status.as_ref());
            let request = self.request_at(
                &[&base[..], &["request"]].concat(),
                place,
                method,
                &step.request,
            );
            let format = match step.format.as_deref() {
                None => BodyFormat::Json,
                Some(text) => BodyFormat::from_name(text).unwrap_or_else(|| {
                    self.error(
                        &at("format"),
                        At::Value,
                        format!("`{text}` is not a response format"),
                        format!("use {}", BodyFormat::one_of()),
                    );
                    BodyFormat::Json
                }),
            };
            if step.outputs.is_empty() {
                self.error(&[&base[..], &["name"]].concat(), At::Value, format!("step `{}` has no outputs", step.name), "name what later requests read from it, e.g. `outputs: { session: { cookie: SESSION } }`");
            }
            let mut outputs = Vec::new();
            for (name, source) in &step.outputs {
                let here: Vec<&str> = [&base[..], &["outputs", name.as_str()]].concat();
                // A step's `sent` values would index the operation's list.
                if let spec::SourceSpec::Other(map) = source
                    && map.sent.is_some()
                {
                    self.error(
                        &here,
                        At::Key,
                        "a step output cannot be a value the step sent",
                        "refer to the value itself in later requests",
                    );
                    continue;
                }
                if let Some(source) = self.source(&here, source, format) {
                    outputs.push((name.clone(), source));
                }
            }
            self.step_outputs.push((
                step.name.clone(),
                outputs.iter().map(|(n, _)| n.clone()).collect(),
            ));
            out.push(Step {
                name: step.name.clone(),
                description: step.description.clone(),
                method,
                path_text: step.path.clone(),
                path,
                success,
                request,
                format,
                outputs,
            });
        }
        out
    }

    /// `{steps.NAME.OUTPUT}`.
    pub(super) fn step_reference(
        &mut self,
        path: &[&str],
        name: &str,
        place: Place,
    ) -> Option<Ref> {
        let rest = name.strip_prefix("steps.").unwrap_or_default();
        if !matches!(place, Place::TokenRequest | Place::Request) {
            self.error_in(
                path,
                name,
                "step outputs exist only within the operation that runs the steps",
                "use them in that operation's request",
            );
            return None;
        }
        let found = rest.split_once('.').and_then(|(step, output)| {
            let index = self.step_outputs.iter().position(|(n, _)| n == step)?;
            self.step_outputs[index]
                .1
                .iter()
                .any(|o| o == output)
                .then(|| Ref::Step(index, output.to_owned()))
        });
        if found.is_none() {
            let known: Vec<String> = self
                .step_outputs
                .iter()
                .flat_map(|(step, outputs)| {
                    outputs.iter().map(move |o| format!("steps.{step}.{o}"))
                })
                .collect();
            let help = if known.is_empty() {
                "declare the step before the request that reads it, with `outputs:`".to_owned()
            } else {
                format!("use one of: {}", known.join(", "))
            };
            self.error_in(
                path,
                name,
                format!("`{name}` is not an output of an earlier step"),
                help,
            );
        }
        found
    }
}
