/** The network source: packets dissected by tshark, mapped to the event model. */
export { readNetworkEvents, sniffCapture, isPcapHead, type ReadNetworkOptions } from "./read.ts";
export { NetworkMapper, createNetworkStats, type NetworkMapOptions, type NetworkStats } from "./map.ts";
export { parseLine, FIELDS, AGGREGATOR, type Packet } from "./fields.ts";
export { captureFilter, tsharkArgs, runTshark, DISPLAY_FILTER, DC_PORTS, TsharkMissingError, type TsharkOptions } from "./tshark.ts";
export { runNetworkSensor, type RunNetworkSensorOptions } from "./publish.ts";
export { mapLines } from "./read.ts";
