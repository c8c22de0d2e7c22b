/**
 * Renaming groups in bulk, as `usermig groups rename --prefix|--suffix|--regex` does: a preview (dry run)
 * lists every new name — or why none is saved, such as a collision — and renaming saves them.
 */
import { useState } from 'preact/hooks';
import type { GroupsRenameRequest, GroupsRenameResponse } from '../../src/serve/api-types';
import { api, useAction } from './api';
import { formatCount } from './format';
import { ErrorNotice, SuccessNotice } from './Notice';

type Mode = 'prefix' | 'suffix' | 'regex';

export function BulkRename({ onSaved }: { onSaved: () => void }) {
  const [mode, setMode] = useState<Mode>('prefix');
  const [text, setText] = useState('');
  const [replace, setReplace] = useState('');
  const [match, setMatch] = useState('');
  const [source, setSource] = useState('');
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<GroupsRenameResponse | null>(null);
  const rename = useAction((body: GroupsRenameRequest) => api<GroupsRenameResponse>('/api/groups/rename', { method: 'PUT', body }));
  const input = (set: (value: string) => void) => (event: Event) => set((event.currentTarget as HTMLInputElement).value);

  async function run(dryRun: boolean) {
    setAnswer(null);
    const body: GroupsRenameRequest = {
      [mode]: text,
      ...(mode === 'regex' ? { replace } : {}),
      ...(match.trim() ? { match: match.trim() } : {}),
      ...(source.trim() ? { source: source.trim() } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      dryRun,
    };
    const response = await rename.run(body);
    if (response) {
      setAnswer(response);
      if (!dryRun) onSaved();
    }
  }

  return (
    <details class="panel">
      <summary>
        <strong>Rename groups in bulk</strong> <span class="muted small">(as usermig groups rename --prefix, --suffix or --regex)</span>
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
            How
            <select name="mode" value={mode} onChange={(event) => setMode((event.currentTarget as HTMLSelectElement).value as Mode)}>
              <option value="prefix">put text before every name</option>
              <option value="suffix">put text after every name</option>
              <option value="regex">replace what a regular expression matches</option>
            </select>
          </label>
          <label class="field">
            {mode === 'regex' ? 'Regular expression (case-insensitive)' : 'Text'}
            <input type="text" name="text" value={text} placeholder={mode === 'prefix' ? 'jira-' : mode === 'suffix' ? '-jira' : '^team-(.*)$'} onInput={input(setText)} />
          </label>
          {mode === 'regex' ? (
            <label class="field">
              Replace with ($1… for captured parts)
              <input type="text" name="replace" value={replace} onInput={input(setReplace)} />
            </label>
          ) : null}
          <label class="field">
            Only names matching (optional)
            <input type="text" name="match" value={match} onInput={input(setMatch)} />
          </label>
          <label class="field">
            Only in source (optional)
            <input type="text" name="source" value={source} placeholder="every source" onInput={input(setSource)} />
          </label>
          <label class="field grow">
            Reason (kept in the history)
            <input type="text" name="reason" value={reason} onInput={input(setReason)} />
          </label>
        </div>
        <div class="actions">
          <button type="submit" disabled={rename.busy || !text}>
            Preview the renames
          </button>
          <button type="button" class="primary" disabled={rename.busy || !text || !answer?.dryRun || answer.changed === 0} onClick={() => void run(false)}>
            Rename {answer?.dryRun && answer.changed > 0 ? `${formatCount(answer.changed)} ${answer.changed === 1 ? 'group' : 'groups'}` : 'the groups'}
          </button>
        </div>
      </form>
      <ErrorNotice error={rename.error} />
      {answer ? (
        <>
          {answer.dryRun ? (
            <div class="notice info" role="status" data-testid="rename-preview">
              <strong>Preview, nothing saved:</strong> {answer.changed === 0 ? 'no group matches' : `${formatCount(answer.changed)} ${answer.changed === 1 ? 'group' : 'groups'} would be renamed`}
            </div>
          ) : (
            <SuccessNotice>{answer.message.split('\n').pop()}</SuccessNotice>
          )}
          {answer.notes.map((note, i) => (
            <p key={i} class="small muted">
              {note}
            </p>
          ))}
          {answer.renames.length > 0 ? (
            <div class="table-wrap" style={{ maxHeight: '18rem', overflowY: 'auto' }}>
              <table data-testid="rename-table">
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col">Cloud name</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.renames.map((row) => (
                    <tr key={`${row.source}:${row.group}`}>
                      <td>{row.source === '*' ? row.group : `${row.source}:${row.group}`}</td>
                      <td>{row.to ?? <span class="muted">its own name again</span>}</td>
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
