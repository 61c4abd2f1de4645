/**
 * A small directory in rows (src/directory/domain/hsds.ts DirectoryRows): a
 * social welfare council with a shopping-help service at its office, a salon on
 * the second Tuesday, a one-off health talk, a capacity, taxonomy attributes, a
 * contact person and change history. Shared by the HSDS mapping tests.
 */
import type { DirectoryRows } from "../../src/directory/domain/hsds.ts";

export const IDS = {
  org: "01900000-0000-7000-8000-000000000001",
  parentOrg: "01900000-0000-7000-8000-000000000002",
  service: "01900000-0000-7000-8000-000000000011",
  salonService: "01900000-0000-7000-8000-000000000012",
  location: "01900000-0000-7000-8000-000000000021",
  address: "01900000-0000-7000-8000-000000000022",
  sal: "01900000-0000-7000-8000-000000000031",
  weekly: "01900000-0000-7000-8000-000000000041",
  salon: "01900000-0000-7000-8000-000000000042",
  talk: "01900000-0000-7000-8000-000000000043",
  closure: "01900000-0000-7000-8000-000000000051",
  area: "01900000-0000-7000-8000-000000000061",
  teamArea: "01900000-0000-7000-8000-000000000062",
  contact: "01900000-0000-7000-8000-000000000071",
  phone: "01900000-0000-7000-8000-000000000081",
  contactPhone: "01900000-0000-7000-8000-000000000082",
  attr: "01900000-0000-7000-8000-000000000091",
  attrSalon: "01900000-0000-7000-8000-000000000092",
  attrOwn: "01900000-0000-7000-8000-000000000093",
  attrGone: "01900000-0000-7000-8000-000000000094",
  capacity: "01900000-0000-7000-8000-0000000000a1",
  meta: "01900000-0000-7000-8000-0000000000b1",
  ownTerm: "01900000-0000-7000-8000-0000000000c1",
  tenant: "01900000-0000-7000-8000-0000000000f1",
};

export function sampleDirectoryRows(): DirectoryRows {
  const updated = new Date("2027-01-05T01:00:00Z");
  return {
    organizations: [
      { id: IDS.org, name: "中央区社会福祉協議会", alternate_name: "社協", description: "地域福祉の推進", email: "info@shakyo.example.jp", website: "https://shakyo.example.jp/", parent_id: IDS.parentOrg },
      { id: IDS.parentOrg, name: "市社会福祉協議会", alternate_name: null, description: "", email: null, website: null, parent_id: null },
    ],
    services: [
      {
        id: IDS.service, directory_organization_id: IDS.org, name: "買い物代行", alternate_name: null, description: "週1回、食料品を届けます",
        url: "https://shakyo.example.jp/kaimono", email: null, status: "active", eligibility_description: "65歳以上の一人暮らし",
        minimum_age: 65, maximum_age: null, fees_description: "1回300円", application_process: "電話で申し込み", alert: null,
        assured_date: "2027-01-04", assurer_email: "coordinator@city.example.jp", updated_at: updated,
      },
      {
        id: IDS.salonService, directory_organization_id: IDS.org, name: "ふれあいサロン", alternate_name: null, description: "",
        url: null, email: null, status: "temporarily closed", eligibility_description: null, minimum_age: null, maximum_age: null,
        fees_description: null, application_process: null, alert: "会場を移転しました", assured_date: null, assurer_email: null, updated_at: updated,
      },
    ],
    locations: [{
      id: IDS.location, directory_organization_id: IDS.org, location_type: "physical", name: "福祉センター", alternate_name: null,
      description: null, transportation: "バス停「市役所前」から徒歩3分", latitude: 34.69, longitude: 135.195, url: null,
      accessibility_description: "車いす用トイレあり",
    }],
    addresses: [{
      id: IDS.address, location_id: IDS.location, address_type: "physical", attention: null, address_1: "加納町6-5-1", address_2: null,
      city: "神戸市中央区", region: null, state_province: "兵庫県", postal_code: "6500001", country: "JP",
    }],
    serviceAtLocations: [{ id: IDS.sal, service_id: IDS.service, location_id: IDS.location, description: "受付は1階" }],
    schedules: [
      {
        id: IDS.weekly, kind: "opening_hours", service_id: null, location_id: null, service_at_location_id: IDS.sal, freq: "WEEKLY",
        interval: null, byday: "MO,WE,FR", bymonthday: null, count: null, wkst: null, dtstart: null, until: null, opens_at: "09:00",
        closes_at: "17:00", valid_from: null, valid_to: null, closed_on_holidays: true, description: "窓口", attending_type: null, notes: null,
      },
      {
        id: IDS.salon, kind: "event", service_id: IDS.salonService, location_id: null, service_at_location_id: null, freq: "MONTHLY",
        interval: null, byday: "2tu", bymonthday: null, count: null, wkst: null, dtstart: "2027-01-12", until: null, opens_at: "10:00",
        closes_at: "12:00", valid_from: null, valid_to: null, closed_on_holidays: false, description: "第2火曜のサロン", attending_type: "会場へ", notes: "雨天決行",
      },
      {
        id: IDS.talk, kind: "event", service_id: IDS.salonService, location_id: null, service_at_location_id: null, freq: null,
        interval: null, byday: null, bymonthday: null, count: null, wkst: null, dtstart: "2027-06-15", until: null, opens_at: "14:00",
        closes_at: "24:00", valid_from: null, valid_to: null, closed_on_holidays: true, description: "健康講座", attending_type: null, notes: null,
      },
    ],
    closures: [{ id: IDS.closure, directory_organization_id: IDS.org, service_id: null, kind: "ad_hoc", starts_on: "2027-02-01", ends_on: "2027-02-02", reason: "改修工事" }],
    serviceAreas: [
      { id: IDS.area, service_id: IDS.service, service_at_location_id: null, name: "650 地区", area_kind: "postal_code", area_value: "650", description: null },
      { id: IDS.teamArea, service_id: IDS.salonService, service_at_location_id: null, name: "北チームの担当地区", area_kind: "team", area_value: "01900000-0000-7000-8000-0000000000ff", description: null },
    ],
    contacts: [{ id: IDS.contact, directory_organization_id: null, service_id: IDS.service, service_at_location_id: null, location_id: null, name: "山田 花子", title: "生活支援コーディネーター", department: "地域福祉課", email: "hanako@shakyo.example.jp" }],
    phones: [
      { id: IDS.phone, directory_organization_id: null, service_id: IDS.service, service_at_location_id: null, location_id: null, contact_id: null, number: "078-000-0000", extension: "12", type: "voice", description: "平日9時〜17時", languages: ["ja", "en"] },
      { id: IDS.contactPhone, directory_organization_id: null, service_id: null, service_at_location_id: null, location_id: null, contact_id: IDS.contact, number: "090-0000-0000", extension: "内線A", type: "cell", description: null, languages: [] },
    ],
    attributes: [
      { id: IDS.attr, link_entity: "service", link_id: IDS.service, taxonomy_code: "shopping.proxy", value: null, label: null },
      { id: IDS.attrSalon, link_entity: "service", link_id: IDS.salonService, taxonomy_code: "kayoi.salon", value: null, label: "サロン" },
      { id: IDS.attrOwn, link_entity: "organization", link_id: IDS.org, taxonomy_code: "local.shakyo_branch", value: null, label: null },
      { id: IDS.attrGone, link_entity: "service", link_id: IDS.service, taxonomy_code: "removed.code", value: null, label: null },
    ],
    capacities: [{ id: IDS.capacity, service_id: IDS.service, unit: "人", available: 3, maximum: 10, description: "今月の受け入れ枠", updated_at: new Date("2027-01-05T00:30:00Z") }],
    metadata: [{
      id: IDS.meta, resource_type: "service", resource_id: IDS.service, action: "update", field_name: "name",
      previous_value: "買い物お届け便", replacement_value: "買い物代行", updated_by: "staff", updated_at: new Date("2027-01-04T16:00:00Z"),
    }],
  };
}
