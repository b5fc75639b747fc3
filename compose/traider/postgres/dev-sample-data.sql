-- Development sample data, loaded by compose.development.yml on a fresh data volume only
-- (the image runs /docker-entrypoint-initdb.d/* once, after creating the database).
-- Instruments and one day of synthetic one-minute candles, as a TimescaleDB hypertable.
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

CREATE SCHEMA IF NOT EXISTS sample;

CREATE TABLE sample.instruments (
  symbol      text PRIMARY KEY,
  base        text NOT NULL,
  quote       text NOT NULL,
  tick_size   numeric NOT NULL
);

INSERT INTO sample.instruments (symbol, base, quote, tick_size) VALUES
  ('BTC-USD', 'BTC', 'USD', 0.01),
  ('ETH-USD', 'ETH', 'USD', 0.01),
  ('SOL-USD', 'SOL', 'USD', 0.001);

CREATE TABLE sample.candles_1m (
  ts      timestamptz NOT NULL,
  symbol  text NOT NULL REFERENCES sample.instruments (symbol),
  open    numeric NOT NULL,
  high    numeric NOT NULL,
  low     numeric NOT NULL,
  close   numeric NOT NULL,
  volume  numeric NOT NULL,
  PRIMARY KEY (symbol, ts)
);

SELECT create_hypertable('sample.candles_1m', by_range('ts', INTERVAL '1 day'));

-- A daily wave with a little noise per instrument; setseed keeps every developer's data the same.
SELECT setseed(0.42);
INSERT INTO sample.candles_1m (ts, symbol, open, high, low, close, volume)
SELECT ts, symbol,
       round(price, 2),
       round(price * (1 + random()::numeric * 0.002), 2),
       round(price * (1 - random()::numeric * 0.002), 2),
       round(price * (1 + (random()::numeric - 0.5) * 0.002), 2),
       round(random()::numeric * 10, 4)
FROM (
  SELECT i.symbol, g.ts,
         (CASE i.symbol WHEN 'BTC-USD' THEN 60000 WHEN 'ETH-USD' THEN 3000 ELSE 150 END)::numeric
           * (1 + 0.02 * sin(extract(epoch FROM g.ts)::double precision / 3600.0))::numeric AS price
  FROM sample.instruments i
  CROSS JOIN generate_series(date_trunc('day', now()) - INTERVAL '1 day',
                             date_trunc('day', now()) - INTERVAL '1 minute',
                             INTERVAL '1 minute') AS g(ts)
) AS wave;
