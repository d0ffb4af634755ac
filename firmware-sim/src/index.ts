/** The simulator's public API for the local stack (`npm start`), tests and benchmarks. */
export { stationIds } from './cli-options.js';
export { EvBattery } from './ev-battery.js';
export { applyFault, FaultInjector, type FaultKind, type FaultRule, parseFaults } from './faults.js';
export { Fleet, type FleetOptions, type FleetStats } from './fleet.js';
export { type IotCoreConfig, loadIotCoreConfig } from './iot-core-config.js';
export { type LinkOptions, MqttStationLink, type StationAuth } from './mqtt-station-link.js';
export { ManualScheduler, type Scheduler } from './scheduler.js';
export { type AckFaults, Station, type StationCounters, type StationOptions } from './station.js';
export type { StationChannel, StationLink } from './station-link.js';
export { arrivingEv, StationNode, type StationNodeOptions } from './station-node.js';
export { PRESETS, parsePreset, StationSpec } from './station-spec.js';
export { TimerWheel } from './timer-wheel.js';
