/**
 * 設定 (settings): one page per section, kept in the address (/settings/<section>).
 * Each section is its own file under screens/settings/ and receives the signed-in
 * principal: administrators change, auditors read.
 */
import { useEffect } from "react";
import { Link } from "react-aria-components";
import { useTranslation } from "react-i18next";
import type { Me } from "../me.ts";
import { PolicySettings } from "./settings/Policy.tsx";
import { Branding } from "./settings/Branding.tsx";
import { Channels } from "./settings/Channels.tsx";
import { TemplateSettings } from "./settings/Templates.tsx";

export const SETTINGS_SECTIONS = ["policy", "templates", "branding", "channels"] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

const isSection = (v: string | null): v is SettingsSection => SETTINGS_SECTIONS.includes(v as SettingsSection);

export function Settings({ me, section }: { me: Me; section: string | null }) {
  const { t } = useTranslation();
  const current: SettingsSection = isSection(section) ? section : SETTINGS_SECTIONS[0];
  useEffect(() => {
    document.title = `${t(`settings.sections.${current}`)} — ${t("settings.title")} — ${t("app.title")}`;
  }, [t, current]);
  return (
    <div className="settings">
      <h1>{t("settings.title")}</h1>
      <p>{t("settings.lead")}</p>
      <nav aria-label={t("settings.title")} className="subnav">
        <ul>
          {SETTINGS_SECTIONS.map((s) => (
            <li key={s}>
              <Link href={`/settings/${s}`} aria-current={current === s ? "page" : undefined}>{t(`settings.sections.${s}`)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="settings-section">
        <h2 id="settings-section">{t(`settings.sections.${current}`)}</h2>
        <SectionBody me={me} section={current} />
      </section>
    </div>
  );
}

/** The section's own screen (each section's file is added beside this one). */
function SectionBody({ me, section }: { me: Me; section: SettingsSection }) {
  switch (section) {
    case "policy":
      return <PolicySettings me={me} />;
    case "branding":
      return <Branding me={me} />;
    case "channels":
      return <Channels me={me} />;
    case "templates":
      return <TemplateSettings me={me} />;
    default:
      return null;
  }
}
