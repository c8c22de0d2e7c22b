/**
 * Fixing users in bulk, as `usermig users fix` does: a decision for every undecided user with an invalid or a
 * shared email. A preview (dry run) first shows every decision it would save; saving stores them.
 */
import { useState } from 'preact/hooks';
import type { UsersFixRequest, UsersFixResponse } from '../../src/serve/api-types';
import { api, useAction } from './api';
import { formatCount } from './format';
import { ErrorNotice, SuccessNotice } from './Notice';
import { href } from './router';

export function BulkFix({ onSaved }: { onSaved: () => void }) {
  const [invalid, setInvalid] = useState<'' | 'former-user' | 'new-email'>('former-user');
  const [duplicated, setDuplicated] = useState<'' | 'merge' | 'new-email' | 'former-user'>('merge');
  const [template, setTemplate] = useState('');
  const [domain, setDomain] = useState('');
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<{ dryRun: boolean; response: UsersFixResponse } | null>(null);
  const fix = useAction((body: UsersFixRequest) => api<UsersFixResponse>('/api/users/fix', { method: 'POST', body }));
  const needsAddress = invalid === 'new-email' || duplicated === 'new-email';

  async function run(dryRun: boolean) {
    setAnswer(null);
    const body: UsersFixRequest = {
      invalid: invalid || undefined,
      duplicated: duplicated || undefined,
      emailTemplate: needsAddress && template.trim() ? template.trim() : undefined,
      emailDomain: needsAddress && domain.trim() ? domain.trim() : undefined,
      reason: reason.trim() || undefined,
      dryRun,
    };
    const response = await fix.run(body);
    if (response) {
      setAnswer({ dryRun, response });
      if (!dryRun) onSaved();
    }
  }

  return (
    <details class="panel">
      <summary>
        <strong>Fix invalid and shared emails in bulk</strong> <span class="muted small">(as usermig users fix)</span>
      </summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run(true);
        }}
        style={{ marginTop: '0.75rem' }}
      >
        <div class="toolbar">
          <label class="field">
            Users with an invalid email
            <select name="invalid" value={invalid} onChange={(event) => setInvalid((event.currentTarget as HTMLSelectElement).value as typeof invalid)}>
              <option value="former-user">become Former users</option>
              <option value="new-email">get a generated address</option>
              <option value="">leave undecided</option>
            </select>
          </label>
          <label class="field">
            Users sharing an email
            <select name="duplicated" value={duplicated} onChange={(event) => setDuplicated((event.currentTarget as HTMLSelectElement).value as typeof duplicated)}>
              <option value="merge">merge into one account</option>
              <option value="new-email">get generated addresses</option>
              <option value="former-user">become Former users</option>
              <option value="">leave undecided</option>
            </select>
          </label>
          {needsAddress ? (
            <>
              <label class="field">
                Address template
                <input type="text" name="emailTemplate" value={template} placeholder="{username}@{domain}" onInput={(event) => setTemplate((event.currentTarget as HTMLInputElement).value)} />
              </label>
              <label class="field">
                Domain of generated addresses
                <input type="text" name="emailDomain" value={domain} placeholder="example.com" onInput={(event) => setDomain((event.currentTarget as HTMLInputElement).value)} />
              </label>
            </>
          ) : null}
          <label class="field grow">
            Reason (kept in the history)
            <input type="text" name="reason" value={reason} onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)} />
          </label>
        </div>
        <div class="actions">
          <button type="submit" disabled={fix.busy}>
            Preview the decisions
          </button>
          <button type="button" class="primary" disabled={fix.busy} onClick={() => void run(false)}>
            Save the decisions
          </button>
        </div>
      </form>
      <ErrorNotice error={fix.error} />
      {answer ? (
        <>
          {answer.dryRun ? (
            <div class="notice info" role="status">
              <strong>Preview, nothing saved:</strong> {answer.response.summary}
            </div>
          ) : (
            <SuccessNotice>
              {answer.response.message}
            </SuccessNotice>
          )}
          {answer.response.merges.length > 0 ? (
            <ul class="small">
              {answer.response.merges.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
          ) : null}
          {answer.response.decisions.length > 0 ? (
            <div class="table-wrap" style={{ maxHeight: '18rem', overflowY: 'auto' }}>
              <table>
                <caption>
                  {formatCount(answer.response.total)} {answer.response.total === 1 ? 'decision' : 'decisions'}
                  {answer.response.decisions.length < answer.response.total ? `, the first ${formatCount(answer.response.decisions.length)} shown` : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.response.decisions.map((decision) => (
                    <tr key={decision.id}>
                      <td>
                        <a href={href('users', decision.id)}>{decision.user}</a>
                      </td>
                      <td>{decision.text}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </details>
  );
}
