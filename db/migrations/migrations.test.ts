import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrations } from "./index";

const here = path.dirname(fileURLToPath(import.meta.url));

describe("the migration list", () => {
  it("is sorted, named YYYYMMDDHHMM_module_change, and has no duplicates", () => {
    const names = migrations.map(([n]) => n);
    for (const n of names) expect(n).toMatch(/^\d{12}_[a-z]+_[a-z0-9_]+$/);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it("lists every migration file in the folder", () => {
    const files = readdirSync(here)
      .filter((f) => /^\d{12}_.*\.ts$/.test(f) && !f.endsWith(".test.ts"))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(migrations.map(([n]) => n)).toEqual(files);
  });

  it("gives every migration an up and a down", () => {
    for (const [name, m] of migrations) {
      expect(typeof m.up, name).toBe("function");
      expect(typeof m.down, name).toBe("function");
    }
  });
});
