/// The preview's one style sheet and one script, written beside the pages: no fonts, images or
/// scripts from elsewhere, so the site works offline, from `file://` and from any static host.
/// Colours keep a contrast of at least 4.5:1 (WCAG AA) on their backgrounds; sides are logical
/// (`inline-start`), so right-to-left pages mirror by themselves.
enum PreviewStyle {
    static let css = """
    :root { color-scheme: light; --text: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --link: #0b4f9c; --bg: #ffffff; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: #eef0f2; color: var(--text); font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
    a { color: var(--link); }
    a:focus-visible, summary:focus-visible, input:focus-visible, .table-scroll:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
    .skip:not(:focus) { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    .skip:focus { display: inline-block; margin: 0.5rem; background: #fff; padding: 0.5rem; }
    header.site, main, footer.site { max-width: 42rem; margin: 0 auto; padding: 0 1rem; }
    header.site { padding-top: 0.75rem; }
    main { background: var(--bg); padding: 1rem 1.25rem 1.5rem; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
    footer.site { color: var(--muted); font-size: 0.875rem; padding-block: 1rem 2rem; }
    .breadcrumb { list-style: none; margin: 0 0 0.5rem; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem; font-size: 0.9375rem; }
    .breadcrumb li + li::before { content: "›"; margin-inline-end: 0.25rem; color: var(--muted); }
    h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.25rem 0 0.5rem; }
    h2 { font-size: 1.3rem; margin: 1.5rem 0 0.5rem; }
    h3 { font-size: 1.125rem; }
    .meta, .units { color: var(--muted); font-size: 0.9375rem; margin: 0 0 0.75rem; }
    img { max-width: 100%; height: auto; }
    figure { margin: 1rem 0; }
    figcaption { color: var(--muted); font-size: 0.9375rem; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9em; background: #f2f2f2; padding: 0 0.2em; border-radius: 3px; }
    pre { overflow-x: auto; background: #f2f2f2; padding: 0.75rem; }
    .table-scroll { overflow-x: auto; margin: 1rem 0; }
    table { border-collapse: collapse; width: 100%; }
    th, td { border: 1px solid var(--line); padding: 0.35rem 0.5rem; text-align: start; vertical-align: top; }
    thead th { background: #f4f4f4; }
    .badge { display: inline-block; font-size: 0.8125rem; padding: 0 0.4rem; border-radius: 3px; background: #e9e9e9; color: #1b1b1b; }
    .badge.fallback { background: #fff1cc; color: #5c3d00; }
    .badge.error { background: #fde2e1; color: #8a1c12; }
    .duration { font-size: 0.875rem; color: var(--muted); white-space: nowrap; }
    .toc { padding-inline-start: 1.25rem; }
    .toc .unit { list-style: none; margin-inline-start: -1.25rem; }
    .toc .lesson { margin: 0.3rem 0; }
    .callout { border-inline-start: 5px solid #6b6b6b; background: #f5f5f5; padding: 0.5rem 0.9rem; margin: 1rem 0; border-radius: 4px; }
    .callout > :last-child { margin-bottom: 0.25rem; }
    .callout-title { margin: 0 0 0.35rem; font-weight: 600; }
    .callout-label { text-transform: uppercase; letter-spacing: 0.04em; font-size: 0.8125rem; }
    .callout-note { border-color: #0b4f9c; background: #eaf2fc; }
    .callout-tip { border-color: #1d6b35; background: #e9f6ed; }
    .callout-warning { border-color: #9a5b00; background: #fff4e0; }
    .callout-prompt { border-color: #6a2c91; background: #f4ecfa; }
    .callout-activity { border-color: #00627a; background: #e5f5f8; }
    .callout-read-aloud { border-color: #1b1b1b; background: #fffbe8; font-size: 1.125rem; }
    .callout-content-warning { border-color: #a3190f; background: #fdecea; }
    .quiz { border: 2px solid #0b4f9c; border-radius: 6px; padding: 0.5rem 0.9rem; margin: 1.25rem 0; }
    .quiz-label { margin: 0; font-weight: 600; text-transform: uppercase; font-size: 0.8125rem; letter-spacing: 0.04em; color: #0b4f9c; }
    .quiz-options { list-style: none; padding: 0; }
    .quiz-options label { display: flex; gap: 0.5rem; align-items: baseline; padding: 0.4rem 0.3rem; min-height: 2.75rem; cursor: pointer; }
    .quiz-options input { width: 1.25rem; height: 1.25rem; flex: none; }
    .quiz-options label.right { background: #e9f6ed; }
    .quiz-options label.wrong { background: #fdecea; }
    .quiz-feedback:empty { display: none; }
    .quiz-answer summary { cursor: pointer; color: var(--link); text-decoration: underline; padding: 0.4rem 0; min-height: 2.75rem; }
    .fallback-note { background: #fff1cc; color: #3d2900; padding: 0.5rem 0.75rem; border-radius: 4px; }
    .diagnostics { border: 2px solid #9a5b00; background: #fff8ec; padding: 0.25rem 0.75rem; margin: 0.75rem 0; border-radius: 4px; }
    .diagnostics.has-errors { border-color: #a3190f; background: #fdf0ef; }
    .diagnostics h2 { font-size: 1rem; margin: 0.4rem 0; }
    .diagnostic-list { padding-inline-start: 1rem; margin: 0.25rem 0; }
    .diagnostic { margin: 0.25rem 0; }
    .diagnostic .severity { font-weight: 700; }
    .diagnostic.error .severity { color: #a3190f; }
    .diagnostic.warning .severity { color: #7a4800; }
    .rule { color: var(--muted); font-size: 0.875rem; }
    p.diagnostic { font-size: 0.875rem; color: #7a1a10; margin: 0.4rem 0 0; }
    p.error { color: #8a1c12; font-weight: 600; }
    .pager { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem; margin-top: 2rem; border-top: 1px solid var(--line); padding-top: 0.75rem; }
    .state { display: inline-block; padding: 0 0.4rem; border-radius: 3px; font-size: 0.8125rem; white-space: nowrap; }
    .state-new { background: #fde2e1; color: #7a1a10; }
    .state-needs-review { background: #fff1cc; color: #5c3d00; }
    .state-translated { background: #e3effc; color: #0b3f7c; }
    .state-final { background: #e2f4e7; color: #175a2c; }
    .state-counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.75rem; }
    table.review td:nth-child(2), table.review td:nth-child(3) { width: 40%; }
    .review .line { color: var(--muted); font-size: 0.8125rem; }
    .code-placeholder, .code-group { background: #ececec; border-radius: 3px; padding: 0 0.15em; }
    @media (min-width: 60rem) { header.site, main, footer.site { max-width: 46rem; } main { margin-top: 0.5rem; } }

    """

    /// Answering a quiz: says at once whether the choice is right; the explanation opens by itself
    /// when it is. Without script the `<details>` still opens by a click.
    static let script = """
    (function () {
      "use strict";
      document.querySelectorAll(".quiz").forEach(function (quiz) {
        var inputs = quiz.querySelectorAll("input[data-correct]");
        var feedback = quiz.querySelector(".quiz-feedback");
        var answer = quiz.querySelector(".quiz-answer");
        inputs.forEach(function (input) {
          input.addEventListener("change", function () {
            var right = true;
            inputs.forEach(function (i) {
              var correct = i.getAttribute("data-correct") === "true";
              i.parentElement.classList.remove("right", "wrong");
              if (i.checked) { i.parentElement.classList.add(correct ? "right" : "wrong"); }
              if (i.checked !== correct) { right = false; }
            });
            if (feedback) { feedback.textContent = right ? "Right." : "Not quite: try again, or show the answer."; }
            if (right && answer) { answer.open = true; }
          });
        });
      });
    })();

    """
}
