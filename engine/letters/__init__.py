"""Letters to the client: templates beside the diagrams (processes/vorlagen/), rendered in a sandbox, as HTML
and PDF, each sent one recorded with its content hash and the data it was made from."""
