import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadState, saveState, type SyncState } from "./state.ts";

let dir: string;
const state: SyncState = {
  version: 1,
  dsServiceName: "CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=vigil,DC=lab",
  baseDn: "DC=vigil,DC=lab",
  highestUsn: 4100,
  syncedAt: "2026-11-25T20:00:00.000Z",
  known: { "S-1-5-21-1-2-3-1105": ["user", "CN=dave,OU=Staff,DC=vigil,DC=lab"] },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-ldap-state-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("LDAP sync state file", () => {
  it("round-trips, creating its directory, and leaves no temp file", async () => {
    const path = join(dir, "a", "b", "state.json");
    await saveState(path, state);
    expect(await loadState(path)).toEqual(state);
    await saveState(path, { ...state, highestUsn: 4200 });
    expect(await loadState(path)).toMatchObject({ highestUsn: 4200 });
    expect(await readdir(join(dir, "a", "b"))).toEqual(["state.json"]);
  });

  it("is absent when there is no file", async () => {
    expect(await loadState(join(dir, "none.json"))).toBeUndefined();
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["another version", JSON.stringify({ ...state, version: 2 }), /version/],
    ["a negative USN", JSON.stringify({ ...state, highestUsn: -1 }), /highestUsn/],
    ["an unknown object type", JSON.stringify({ ...state, known: { x: ["printer", "CN=p"] } }), /known/],
    ["an extra field", JSON.stringify({ ...state, extra: 1 }), /extra|Unrecognized/],
  ])("reports a state with %s as a problem, not a crash", async (_label, text, reason) => {
    const path = join(dir, `bad-${Math.random()}.json`);
    await writeFile(path, text);
    const loaded = await loadState(path);
    expect(loaded).toEqual({ problem: expect.stringMatching(reason) });
  });

  it("fails with a coded error when the state cannot be written", async () => {
    // A path under a regular file fails even for root (which ignores directory permissions).
    await writeFile(join(dir, "file"), "x");
    await expect(saveState(join(dir, "file", "state.json"), state)).rejects.toMatchObject({ code: "LDAP_STATE_WRITE_FAILED" });
    expect(await readFile(join(dir, "file"), "utf8")).toBe("x");
  });
});
