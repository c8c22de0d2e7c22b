/** The frame of every page: the name, the navigation, the page. */
import type { ComponentChildren } from 'preact';

export type PageName = 'overview' | 'users' | 'domains' | 'groups' | 'plan' | 'apply' | 'reports';

const PAGES: Array<{ name: PageName; title: string }> = [
  { name: 'overview', title: 'Overview' },
  { name: 'users', title: 'Users' },
  { name: 'domains', title: 'Domains' },
  { name: 'groups', title: 'Groups' },
  { name: 'plan', title: 'Plan' },
  { name: 'apply', title: 'Apply' },
  { name: 'reports', title: 'Reports' },
];

export function Shell({ page, children }: { page: PageName | null; children: ComponentChildren }) {
  return (
    <>
      <header class="topbar">
        <div class="topbar-inner">
          <a class="brand" href="#/">
            usermig<span>dashboard</span>
          </a>
          <nav aria-label="Pages">
            <ul class="nav">
              {PAGES.map((entry) => (
                <li key={entry.name}>
                  <a href={`#/${entry.name === 'overview' ? '' : entry.name}`} aria-current={entry.name === page ? 'page' : undefined}>
                    {entry.title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
