/** The console's frame: sign-in, then the header, the menu and the current screen. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Link, RouterProvider, ToggleButton, ToggleButtonGroup } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, session } from "./api.ts";
import type { Lang } from "./format.ts";
import { setLang } from "./i18n.ts";
import { navigate, type Screen, useScreen } from "./router.ts";
import { SignIn } from "./screens/SignIn.tsx";
import { Today } from "./screens/Today.tsx";

export interface Organisation {
  id: string;
  name: string;
  role: string;
}

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

const MENU: Screen[] = ["today"];

export function App() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const screen = useScreen();
  useEffect(() => {
    session.onUnauthorized(() => {
      session.signOut();
      queryClient.clear();
      setSignedIn(false);
    });
  }, [queryClient]);
  const organisation = useQuery({ queryKey: ["organisation"], queryFn: () => api<Organisation>("GET", "/organisation"), enabled: signedIn });

  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const signOut = () => {
    session.signOut();
    queryClient.clear();
    setSignedIn(false);
  };
  return (
    <RouterProvider navigate={navigate}>
      <a className="skip" href="#main">{t("app.skip")}</a>
      <header className="top">
        <div className="brand">
          <span className="app-name">{t("app.title")}</span>
          {organisation.data ? <span className="org-name">{organisation.data.name}</span> : null}
        </div>
        <nav aria-label={t("app.nav")}>
          <ul>
            {MENU.map((item) => (
              <li key={item}>
                <Link href={`/${item}`} aria-current={screen === item ? "page" : undefined}>{t(`nav.${item}`)}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="tools">
          <LanguageSwitch />
          <Button onPress={signOut}>{t("app.signOut")}</Button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen === "today" ? <Today /> : null}
      </main>
    </RouterProvider>
  );
}
