/** The dashboard's entry: hash routes to pages, and the gate when the API refuses the page. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from './api';
import { ApplyPage } from './ApplyPage';
import { DomainsPage } from './DomainsPage';
import { GroupPage } from './GroupPage';
import { GroupsPage } from './GroupsPage';
import { NoToken } from './NoToken';
import { OverviewPage } from './OverviewPage';
import { PlanPage } from './PlanPage';
import { ReportsPage } from './ReportsPage';
import { useRoute } from './router';
import { Shell, type PageName } from './Shell';
import { UserPage } from './UserPage';
import { UsersPage } from './UsersPage';
import './style.css';

const TITLES: Record<PageName, string> = {
  overview: 'Overview',
  users: 'Users',
  domains: 'Domains',
  groups: 'Groups',
  plan: 'Plan',
  apply: 'Apply',
  reports: 'Reports',
};

function App() {
  const route = useRoute();
  const [refused, setRefused] = useState(false);
  useEffect(() => onUnauthorized(() => setRefused(true)), []);
  const [first = '', second] = route.segments;
  const page: PageName | null = first === '' ? 'overview' : first in TITLES ? (first as PageName) : null;
  useEffect(() => {
    document.title = refused ? 'usermig dashboard: open the URL usermig serve printed' : `${page ? TITLES[page] : 'Not found'} · usermig`;
  }, [page, refused]);
  useEffect(() => window.scrollTo(0, 0), [first, second]);

  if (refused) return <NoToken />;
  return <Shell page={page}>{content(page, second, route.query)}</Shell>;
}

function content(page: PageName | null, id: string | undefined, query: URLSearchParams) {
  switch (page) {
    case 'overview':
      return <OverviewPage />;
    case 'users':
      return id ? <UserPage id={id} /> : <UsersPage query={query} />;
    case 'domains':
      return <DomainsPage />;
    case 'groups':
      return id ? <GroupPage name={id} /> : <GroupsPage query={query} />;
    case 'plan':
      return <PlanPage query={query} />;
    case 'apply':
      return <ApplyPage query={query} />;
    case 'reports':
      return <ReportsPage />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            <a href="#/">Back to the overview</a>
          </p>
        </>
      );
  }
}

render(<App />, document.getElementById('app')!);
