-- One database per Itinera service (a service never reads another's tables).
-- Run once by the postgres image on an empty data volume, as POSTGRES_USER, who owns them.
-- Each service creates its own tables with its Alembic migrations when it starts.
CREATE DATABASE itinera_crm;
CREATE DATABASE itinera_itinerary;
CREATE DATABASE itinera_ticketing;
CREATE DATABASE itinera_contracts;
CREATE DATABASE itinera_feedback;
