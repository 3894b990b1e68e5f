import type { Rng } from "../random.js";

const FIRST = [
  "Amelia",
  "Oliver",
  "Isla",
  "George",
  "Ava",
  "Noah",
  "Mia",
  "Leo",
  "Grace",
  "Arthur",
  "Freya",
  "Oscar",
  "Ella",
  "Harry",
  "Chloe",
  "Jack",
  "Ruby",
  "Finn",
  "Niamh",
  "Sean",
  "Aoife",
  "Liam",
  "Emma",
  "Lucas",
  "Chloé",
  "Hugo",
  "Lucía",
  "Mateo",
  "Priya",
  "Ravi",
  "Zara",
  "Kofi",
  "Mei",
  "Tomás",
  "Sofia",
  "Ethan",
];
const LAST = [
  "Smith",
  "Jones",
  "Taylor",
  "Brown",
  "Williams",
  "Wilson",
  "Evans",
  "Thomas",
  "Murphy",
  "Kelly",
  "O'Brien",
  "Walsh",
  "Byrne",
  "Ryan",
  "Martin",
  "Bernard",
  "García",
  "López",
  "Patel",
  "Khan",
  "Nguyen",
  "Okafor",
  "Schmidt",
  "Rossi",
  "Anderson",
  "Clarke",
  "Hughes",
  "Price",
  "Fitzgerald",
  "Doyle",
];
const COMPANY_A = [
  "Northwind",
  "Bluebell",
  "Copperfield",
  "Harbourside",
  "Oakridge",
  "Silverline",
  "Riverside",
  "Kestrel",
  "Meadow",
  "Granite",
  "Lighthouse",
  "Foxglove",
  "Summit",
  "Ironbridge",
  "Willow",
  "Cobalt",
  "Heather",
  "Beacon",
  "Orchard",
  "Thistle",
  "Pinnacle",
  "Larkspur",
  "Falcon",
  "Juniper",
  "Anchor",
  "Evergreen",
  "Bramble",
  "Saffron",
  "Quayside",
  "Redwood",
];
const COMPANY_B = [
  "Bakery",
  "Joinery",
  "Logistics",
  "Design",
  "Engineering",
  "Catering",
  "Print",
  "Landscapes",
  "Consulting",
  "Electrical",
  "Plumbing",
  "Media",
  "Coffee",
  "Interiors",
  "Analytics",
  "Outdoor",
  "Textiles",
  "Motors",
  "Dental",
  "Florists",
  "Architects",
  "Builders",
  "Software",
  "Vets",
  "Studios",
];
const COMPANY_SUFFIX = ["Ltd", "Ltd", "Limited", "& Co", "LLP", "Group", "Partners", "Services"];
const STREETS = [
  "High Street",
  "Station Road",
  "Church Lane",
  "Mill Road",
  "Victoria Street",
  "Park Avenue",
  "Queen Street",
  "King's Road",
  "Market Square",
  "Bridge Street",
  "Harbour View",
  "Orchard Close",
  "Castle Street",
  "Union Row",
];
const PRODUCTS_A = ["Oak", "Steel", "Ceramic", "Organic", "Premium", "Compact", "Deluxe", "Recycled", "Classic", "Linen"];
const PRODUCTS_B = [
  "Desk Lamp",
  "Coffee Beans 1kg",
  "Office Chair",
  "Notebook A5",
  "Cable Kit",
  "Storage Box",
  "Water Filter",
  "Printer Paper",
  "Tool Set",
  "Gift Hamper",
  "Shelving Unit",
  "Tea Selection",
  "Display Stand",
  "Cleaning Kit",
];
const SERVICES = [
  "Consultancy",
  "Installation",
  "Annual Maintenance",
  "Design Work",
  "Training Session",
  "Site Survey",
  "Bookkeeping",
  "Delivery",
  "Support Hours",
  "Project Management",
  "Copywriting",
  "Photography",
];
const JOBS = ["Director", "Accounts Payable", "Office Manager", "Finance Manager", "Owner", "Buyer", "Operations Lead"];
/** What people write on an expense line, by the nominal code it is posted to. */
const EXPENSES: Readonly<Record<number, readonly string[]>> = {
  6201: ["Advertising campaign", "Trade show stand", "Social media ads"],
  7100: ["Monthly rent", "Storage unit rent"],
  7200: ["Electricity bill", "Gas bill"],
  7400: ["Train tickets", "Hotel stay", "Client lunch"],
  7500: ["Stationery order", "Printer toner"],
  7502: ["Broadband", "Mobile phones"],
  7600: ["Accountancy fees", "Legal advice"],
  7900: ["Bank charges", "Card processing fees"],
};

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}

export function companyName(rng: Rng): string {
  return `${rng.pick(COMPANY_A)} ${rng.pick(COMPANY_B)} ${rng.pick(COMPANY_SUFFIX)}`;
}

/** A contact reference like Sage's (max 10 chars): letters from the name plus a number. */
export function contactReference(name: string, n: number): string {
  const letters = name
    .replace(/[^A-Za-z]/g, "")
    .slice(0, 4)
    .toUpperCase()
    .padEnd(3, "X");
  return `${letters}${String(n).padStart(3, "0")}`.slice(0, 10);
}

export function emailFor(name: string, domainFrom: string): string {
  const local = name
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z ]/g, "")
    .trim()
    .replace(/\s+/g, ".");
  const domain =
    domainFrom
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^a-z]/g, "")
      .slice(0, 18) || "example";
  return `${local || "info"}@${domain}.example.com`;
}

export function street(rng: Rng): string {
  return `${rng.int(1, 240)} ${rng.pick(STREETS)}`;
}

export function postcode(rng: Rng, country: string): string {
  const L = "ABCDEFGHJKLMNPRSTUWY";
  const l = () => L[rng.int(0, L.length - 1)];
  switch (country) {
    case "gb":
      return `${l()}${l()}${rng.int(1, 19)} ${rng.int(1, 9)}${l()}${l()}`;
    case "ie":
      return `D${String(rng.int(1, 24)).padStart(2, "0")} ${l()}${rng.int(100, 999)}`;
    case "ca":
      return `${l()}${rng.int(1, 9)}${l()} ${rng.int(1, 9)}${l()}${rng.int(1, 9)}`;
    default:
      return String(rng.int(10000, 99999));
  }
}

export function phone(rng: Rng, prefix: string): string {
  return `${prefix} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`;
}

export function productName(rng: Rng): string {
  return `${rng.pick(PRODUCTS_A)} ${rng.pick(PRODUCTS_B)}`;
}

export function serviceName(rng: Rng): string {
  return rng.pick(SERVICES);
}

export function jobTitle(rng: Rng): string {
  return rng.pick(JOBS);
}

export function expenseDescription(rng: Rng, nominal: number): string {
  return rng.pick(EXPENSES[nominal] ?? ["Sundry expenses"]);
}

export function titleCase(snake: string): string {
  return snake
    .split("_")
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}
