// accelgen_delay_line: a Depth-stage register pipeline (Depth >= 1), reset to zero.
// Used for the skew and de-skew triangles of systolic arrays and for valid pipelines.
module accelgen_delay_line #(
  parameter int unsigned Width = 1,
  parameter int unsigned Depth = 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);

  logic [Width*Depth-1:0] chain_q;

  if (Depth == 1) begin : g_single
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        chain_q <= '0;
      end else begin
        chain_q <= d_i;
      end
    end
  end else begin : g_chain
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        chain_q <= '0;
      end else begin
        chain_q <= {chain_q[Width*(Depth-1)-1:0], d_i};
      end
    end
  end

  assign q_o = chain_q[Width*Depth-1 -: Width];

endmodule
