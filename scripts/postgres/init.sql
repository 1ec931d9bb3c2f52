-- docker-compose: the application role must not be a superuser, or row-level security is bypassed.
CREATE ROLE vigil LOGIN PASSWORD 'vigil' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE vigil OWNER vigil;
