/** What a VietQR transfer image encodes. */
export interface VietQrRequest {
  readonly accountNumber: string
  /** The bank's short code (MBBank, VCB, ...). */
  readonly bankCode: string
  /** In VND. */
  readonly amount: number
  /** The transfer content: the payment code. */
  readonly content: string
}

/** SePay's VietQR image for a transfer, with every value URL-encoded. */
export const vietQrImageUrl = (request: VietQrRequest): string =>
  "https://qr.sepay.vn/img"
  + `?acc=${encodeURIComponent(request.accountNumber)}`
  + `&bank=${encodeURIComponent(request.bankCode)}`
  + `&amount=${encodeURIComponent(String(request.amount))}`
  + `&des=${encodeURIComponent(request.content)}`
