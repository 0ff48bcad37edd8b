/** A token-bearing connection to one InfluxDB server, on @influxdata/influxdb-client. */
import { InfluxDB } from '@influxdata/influxdb-client';

export interface InfluxConnection {
  url: string;
  token: string;
  client: InfluxDB;
}

export function connect(url: string, token: string, timeoutMs = 30_000): InfluxConnection {
  return { url, token, client: new InfluxDB({ url, token, timeout: timeoutMs }) };
}
