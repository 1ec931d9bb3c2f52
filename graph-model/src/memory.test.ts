import { createMemoryGraph } from "./memory/adapter.ts";
import { identityGraphContract } from "./identity-graph.contract.ts";
import { identityJoinContract } from "./identity-join.contract.ts";
import { lateralMovementContract } from "./lmp.contract.ts";

identityGraphContract("memory (graphology)", () => createMemoryGraph());
lateralMovementContract("memory (graphology)", () => createMemoryGraph());
identityJoinContract("memory (graphology)", () => createMemoryGraph());
