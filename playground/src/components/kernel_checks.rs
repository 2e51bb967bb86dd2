//! The paste's own `ip route get` answers against whyroute's: a disagreement first and loud
//! (whyroute misreads this paste), an agreement as a confirmation.

use crate::components::Shared;
use crate::eval::HostResult;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KernelChecksProps {
    pub result: Shared<HostResult>,
    /// Selects a line of the paste.
    pub on_jump: Callback<usize>,
}

#[function_component(KernelChecks)]
pub fn kernel_checks(props: &KernelChecksProps) -> Html {
    let (eval, jump) = (&props.result.eval, &props.on_jump);
    use whyroute::selfcheck::CheckOutcome;
    if eval.kernel_checks.is_empty() {
        return Html::default();
    }
    let item = |c: &whyroute::selfcheck::KernelCheck| {
        let line = c.line;
        let jump = jump.clone();
        let go = html! {
            <button type="button" class="line-link" onclick={Callback::from(move |_: MouseEvent| jump.emit(line))}
                aria-label={format!("Go to line {line}")}>{format!("line {line}")}</button>
        };
        match &c.outcome {
            CheckOutcome::Same => html! {
                <li class="agree">{"✓ "}{go}{" "}<code>{c.command.clone()}</code>{": your kernel said the same."}</li>
            },
            CheckOutcome::Differs { fields } => html! {
                <li class="disagree" role="alert">
                    <strong>{"⚠ whyroute disagrees with your kernel. "}</strong>{go}{" "}<code>{c.command.clone()}</code>
                    <dl>
                        <dt>{"Your kernel said"}</dt><dd><code>{c.kernel.clone()}</code></dd>
                        <dt>{"whyroute decides"}</dt><dd><code>{c.whyroute.clone()}</code></dd>
                    </dl>
                    {format!("They differ in: {}. Trust your kernel: whyroute misreads something in this paste, so its answers here are in doubt. Please report the paste.", fields.join(", "))}
                </li>
            },
            CheckOutcome::NotCompared { why } => html! {
                <li class="not-compared">{go}{" "}<code>{c.command.clone()}</code>{format!(": not compared ({why}).")}</li>
            },
        }
    };
    let disagree = eval.kernel_checks.iter().any(|c| matches!(c.outcome, CheckOutcome::Differs { .. }));
    html! {
        <section id="kernel-checks" class={classes!("kernel-checks", disagree.then_some("disagree"))} aria-label="Your kernel's own answers">
            <ul>
                { for eval.kernel_checks.iter().filter(|c| matches!(c.outcome, CheckOutcome::Differs { .. })).map(item) }
                { for eval.kernel_checks.iter().filter(|c| !matches!(c.outcome, CheckOutcome::Differs { .. })).map(item) }
            </ul>
        </section>
    }
}
