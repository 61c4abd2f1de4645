/** The console's frame: sign-in (or an invitation), then the header, the menu and the current screen. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Button, Link, RouterProvider, ToggleButton, ToggleButtonGroup } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, session } from "./api.ts";
import type { Lang } from "./format.ts";
import { setLang } from "./i18n.ts";
import { type Me, signedOut, useMe } from "./me.ts";
import { Devices } from "./network/Devices.tsx";
import { navigate, type Screen, useScreen, useSubpath } from "./router.ts";
import { AcceptInvitation } from "./screens/AcceptInvitation.tsx";
import { AuditLog } from "./screens/AuditLog.tsx";
import { Broadcasts } from "./screens/Broadcasts.tsx";
import { Groups } from "./screens/Groups.tsx";
import { Incidents } from "./screens/Incidents.tsx";
import { Members } from "./screens/Members.tsx";
import { Concerns } from "./screens/network/Concerns.tsx";
import { Partners } from "./screens/network/Partners.tsx";
import { Activities } from "./screens/directory/Activities.tsx";
import { Handover } from "./screens/directory/Handover.tsx";
import { Needs } from "./screens/directory/Needs.tsx";
import { Providers } from "./screens/directory/Providers.tsx";
import { Resources } from "./screens/directory/Resources.tsx";
import { Volunteers } from "./screens/directory/Volunteers.tsx";
import { Lookup } from "./screens/network/Lookup.tsx";
import { Passkeys } from "./screens/Passkeys.tsx";
import { MyDuty } from "./screens/MyDuty.tsx";
import { MyVisits, WatcherMember } from "./screens/MyVisits.tsx";
import { MyHelpRequests } from "./screens/MyHelpRequests.tsx";
import { People } from "./screens/People.tsx";
import { Reports } from "./screens/Reports.tsx";
import { Sessions } from "./screens/Sessions.tsx";
import { Settings } from "./screens/Settings.tsx";
import { SignIn } from "./screens/SignIn.tsx";
import { Today } from "./screens/Today.tsx";
import { Tokens } from "./screens/Tokens.tsx";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <ToggleButtonGroup
      aria-label={t("app.language")}
      selectionMode="single"
      disallowEmptySelection
      selectedKeys={[i18n.language]}
      onSelectionChange={(keys) => void setLang([...keys][0] as Lang)}
      className="lang"
    >
      <ToggleButton id="ja" lang="ja">日本語</ToggleButton>
      <ToggleButton id="en" lang="en">English</ToggleButton>
    </ToggleButtonGroup>
  );
}

/** The menu's groups, in order: what the day's watching needs, the regional network, administration, one's own account. */
export type MenuGroup = "watch" | "region" | "admin" | "me";

/**
 * The screens a signed-in principal may open, by menu group (the API refuses the
 * rest anyway). Empty groups are left out; the order within and across groups is
 * the menu's order.
 */
export function menuGroupsFor(me: Me): { group: MenuGroup; screens: Screen[] }[] {
  const staffLike = me.role === "admin" || me.role === "staff";
  // A watcher lands on their own visits (わたしの訪問); the API shows them nothing else. A watcher who is also a
  // volunteer of the directory (生活支援の担い手) answers their requests in わたしへの依頼.
  const watch: Screen[] = me.role === "watcher" ? ["visits", "help"] : ["today", "incidents", "concerns", "members", "broadcasts", "groups", "reports"];
  const region: Screen[] = me.role === "watcher" ? [] : ["devices", "partner-registry", "resources", "providers", "needs", "volunteers", "activities"];
  // 番号照会: staff look a member up by keyholder number while the police, fire service or a hospital is on the phone.
  if (staffLike) region.push("lookup");
  // 引き継ぎ: a leaving coordinator's providers, services, volunteers and partners go to a successor in one step.
  if (staffLike) region.push("handover");
  const admin: Screen[] = me.role === "admin" || me.role === "auditor" ? ["settings", "people", "tokens", "audit"] : [];
  const mine: Screen[] = [];
  // Team alerts reach staff and admins on their own channels while they are on duty.
  // Watchers keep channels too: a visit request reaches them there.
  if (me.kind === "person" && (staffLike || me.role === "watcher")) mine.push("duty");
  if (me.kind === "person") mine.push("sessions", "passkeys");
  const groups: { group: MenuGroup; screens: Screen[] }[] = [
    { group: "watch", screens: watch }, { group: "region", screens: region }, { group: "admin", screens: admin }, { group: "me", screens: mine },
  ];
  return groups.filter((g) => g.screens.length > 0);
}

/** The screens a signed-in principal may open, in menu order. */
export function menuFor(me: Me): Screen[] {
  return menuGroupsFor(me).flatMap((g) => g.screens);
}

export function App() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const me = useMe();
  const screen = useScreen();
  const subpath = useSubpath();
  // The organisation's logo (設定 → 名称・利用規約) in the header; a watcher's role reads no settings.
  const branding = useQuery({
    queryKey: ["branding"], queryFn: () => api<{ logo: { path: string } | null }>("GET", "/branding"),
    enabled: !!me.data && me.data.role !== "watcher",
  });
  useEffect(() => {
    session.onUnauthorized(() => signedOut(queryClient));
  }, [queryClient]);
  // On phones the menu is one row that scrolls sideways: the current screen's link is brought into it (centred), so
  // 困りごと opened from a link is not left off-screen. Only the row scrolls, never the page.
  const menuRow = useRef<HTMLElement>(null);
  const role = me.data?.role;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the link to bring in moves with the screen (its aria-current), read from the page
  useEffect(() => {
    const row = menuRow.current;
    const link = row?.querySelector<HTMLElement>('a[aria-current="page"]');
    if (!row || !link || role === undefined || row.scrollWidth <= row.clientWidth) return;
    row.scrollLeft = link.offsetLeft - (row.clientWidth - link.offsetWidth) / 2;
  }, [screen, role]);

  const signedIn = () => void queryClient.invalidateQueries({ queryKey: ["me"] });
  if (screen === "invite") {
    return (
      <RouterProvider navigate={navigate}>
        <AcceptInvitation onSignedIn={() => { signedIn(); navigate("/"); }} />
      </RouterProvider>
    );
  }
  if (me.isPending) return <main id="main"><p>{t("app.loading")}</p></main>;
  if (!me.data) return <SignIn onSignedIn={signedIn} />;

  const menu = menuFor(me.data);
  const logo = branding.data?.logo?.path;
  // A watcher may follow a link to a member of their visits: that page says plainly when the member is not theirs.
  const watcherMember = me.data.role === "watcher" && screen === "members" && subpath ? subpath : null;
  const current = watcherMember ? "visits" : screen && menu.includes(screen) ? screen : menu[0];
  const signOut = async () => {
    if (me.data?.kind === "person") await api("DELETE", "/session").catch(() => undefined);
    signedOut(queryClient);
    navigate("/");
  };
  const who = me.data.kind === "person" ? me.data.person.displayName : t("app.tokenUser");
  return (
    <RouterProvider navigate={navigate}>
      <div className="frame">
        <a className="skip" href="#main">{t("app.skip")}</a>
        <header className="top">
          <div className="brand">
            {logo ? <img className="brand-logo" src={logo} alt="" data-testid="header-logo" /> : null}
            <span className="app-name">{t("app.title")}</span>
            <span className="org-name">{me.data.organisationName}</span>
          </div>
          <div className="tools">
            <span className="who">{t("app.signedInAs", { name: who, role: t(`roles.${me.data.role}`) })}</span>
            <LanguageSwitch />
            <Button onPress={() => void signOut()}>{t("app.signOut")}</Button>
          </div>
        </header>
        {/* Beside the screen on wide windows; one row that scrolls sideways on phones, so the screen starts at the top. */}
        <nav className="menu" aria-label={t("app.nav")} ref={menuRow}>
          {menuGroupsFor(me.data).map(({ group, screens }) => (
            <div className="menu-group" key={group}>
              <span className="menu-group-name" id={`menu-${group}`}>{t(`navGroups.${group}`)}</span>
              <ul aria-labelledby={`menu-${group}`}>
                {screens.map((item) => (
                  <li key={item}>
                    <Link href={`/${item}`} aria-current={current === item ? "page" : undefined}>
                      {t(item === "duty" && me.data?.role === "watcher" ? "nav.contactsOnly" : `nav.${item}`)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" tabIndex={-1}>
          {current === "today" ? <Today /> : null}
          {current === "incidents" ? <Incidents me={me.data} /> : null}
          {current === "concerns" ? <Concerns me={me.data} sub={subpath} /> : null}
          {current === "members" ? <Members me={me.data} id={subpath} /> : null}
          {current === "broadcasts" ? <Broadcasts me={me.data} id={subpath} /> : null}
          {current === "groups" ? <Groups me={me.data} id={subpath} /> : null}
          {current === "settings" ? <Settings me={me.data} section={subpath} /> : null}
          {current === "visits" && !watcherMember ? <MyVisits me={me.data} /> : null}
          {watcherMember ? <WatcherMember me={me.data} id={watcherMember} /> : null}
          {current === "help" ? <MyHelpRequests me={me.data} /> : null}
          {current === "people" ? <People me={me.data} /> : null}
          {current === "tokens" ? <Tokens me={me.data} /> : null}
          {current === "reports" ? <Reports me={me.data} /> : null}
          {current === "devices" ? <Devices me={me.data} /> : null}
          {current === "partner-registry" ? <Partners me={me.data} sub={subpath} /> : null}
          {current === "resources" ? <Resources me={me.data} sub={subpath} /> : null}
          {current === "providers" ? <Providers me={me.data} sub={subpath} /> : null}
          {current === "needs" ? <Needs me={me.data} sub={subpath} /> : null}
          {current === "volunteers" ? <Volunteers me={me.data} sub={subpath} /> : null}
          {current === "activities" ? <Activities me={me.data} sub={subpath} /> : null}
          {current === "handover" ? <Handover me={me.data} /> : null}
          {current === "lookup" ? <Lookup me={me.data} /> : null}
          {current === "audit" ? <AuditLog me={me.data} /> : null}
          {current === "duty" ? <MyDuty timeZone={me.data.timeZone} watcher={me.data.role === "watcher"} /> : null}
          {current === "sessions" ? <Sessions timeZone={me.data.timeZone} /> : null}
          {current === "passkeys" ? <Passkeys timeZone={me.data.timeZone} /> : null}
        </main>
      </div>
    </RouterProvider>
  );
}
