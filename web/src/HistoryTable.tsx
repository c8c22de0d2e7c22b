/** The history of a user's, a group's or a domain's decisions: when, who, what it was, what it became, why. */
import type { DecisionHistoryEntry } from '../../src/serve/api-types';
import { formatDate } from './format';

export function HistoryTable({ history, empty, labelledBy }: { history: DecisionHistoryEntry[]; empty: string; labelledBy: string }) {
  return (
    <div class="table-wrap">
      <table aria-labelledby={labelledBy} data-testid="history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">By</th>
            <th scope="col">Was</th>
            <th scope="col">Became</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {history.length === 0 ? (
            <tr>
              <td colSpan={5} class="empty">
                {empty}
              </td>
            </tr>
          ) : (
            history.map((entry, i) => (
              <tr key={`${entry.at}-${i}`}>
                <td class="nowrap small">{formatDate(entry.at)}</td>
                <td>{entry.by}</td>
                <td>{entry.previous || <span class="muted">(default)</span>}</td>
                <td>
                  <strong>{entry.decision}</strong>
                </td>
                <td>{entry.reason}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
