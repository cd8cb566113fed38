DROP TABLE decided_consents;
