"""The session layer: typed QMP client, endpoints, and the sampler that feeds the views."""
