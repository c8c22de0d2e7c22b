/** What the page says when the API refuses it: it was opened without the token `usermig serve` printed. */
export function NoToken() {
  return (
    <main>
      <section class="gate" role="alert" aria-labelledby="gate-title">
        <h1 id="gate-title">Open the URL usermig serve printed</h1>
        <p>
          This dashboard only answers the browser that opened its one-time link. <code>usermig serve</code> printed it when it started, on a line
          like this one:
        </p>
        <pre>usermig dashboard: {window.location.origin}/?token=…</pre>
        <p>
          Open that exact address (with its <code>?token=</code>) in this browser. The token changes every time the server starts: after a
          restart, use the new line.
        </p>
      </section>
    </main>
  );
}
