import { printVigilSchema } from "@vigil/api";
import type { CommandContext } from "./command.ts";

/** `vigil schema`: the GraphQL SDL on stdout, for portal developers' code generation. */
export async function run({ out }: CommandContext): Promise<number> {
  out(await printVigilSchema());
  return 0;
}
